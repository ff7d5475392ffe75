/// The stylesheet and the script, served from the binary: no CDN, no external asset.
enum StaticAssets {
  static let style = """
    :root { --ok: #1a7f37; --late: #bf8700; --failed: #cf222e; --missing: #6e7781; --line: #d0d7de; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
    header { display: flex; gap: 1.5em; align-items: center; padding: .6em 1.2em; background: #24292f; color: #fff; }
    header a { color: #d0d7de; text-decoration: none; margin-right: 1em; }
    header a[aria-current] { color: #fff; font-weight: 600; }
    .brand { font-weight: 700; }
    .logout { margin-left: auto; display: flex; gap: .6em; align-items: center; }
    main { padding: 1em 1.5em; max-width: 1400px; }
    body.bare main { max-width: 28em; margin: 4em auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
    h1 { font-size: 1.4em; margin: .3em 0 .8em; }
    h2 { font-size: 1.1em; margin: 1.4em 0 .5em; }
    table { border-collapse: collapse; background: #fff; margin-bottom: 1em; }
    th, td { border: 1px solid var(--line); padding: .3em .6em; text-align: left; vertical-align: top; }
    th { background: #f0f3f6; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .badge { display: inline-block; padding: 0 .5em; border-radius: 1em; color: #fff; font-size: .85em; }
    .badge.ok, .badge.passed, .badge.equal, .badge.succeeded { background: var(--ok); }
    .badge.late, .badge.partial, .badge.running { background: var(--late); }
    .badge.failed, .badge.different, .badge.damaged { background: var(--failed); }
    .badge.missing, .badge.none { background: var(--missing); }
    .cards { display: flex; gap: 1em; flex-wrap: wrap; margin-bottom: 1em; }
    .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6em 1em; min-width: 10em; }
    .card b { display: block; font-size: 1.3em; }
    .actions { display: flex; gap: .6em; flex-wrap: wrap; margin: .5em 0 1em; }
    form.inline { display: inline; }
    button { padding: .3em .9em; border: 1px solid #8c959f; border-radius: 6px; background: #fff; cursor: pointer; }
    button.danger { border-color: var(--failed); color: var(--failed); }
    label { display: block; margin: .5em 0 .2em; }
    input[type=text], input[type=password], select { padding: .3em; min-width: 18em; }
    pre.log { background: #0d1117; color: #e6edf3; padding: 1em; overflow: auto; max-height: 70vh; white-space: pre-wrap; }
    .error { color: var(--failed); }
    .note { color: #57606a; }
    svg text { font: 11px system-ui, sans-serif; fill: #1f2328; }
    svg .grid { stroke: var(--line); }
    svg .cell-ok { fill: var(--ok); } svg .cell-late { fill: var(--late); }
    svg .cell-failed { fill: var(--failed); } svg .cell-none { fill: #eaeef2; }
    svg .series-a { stroke: #0969da; fill: none; stroke-width: 2; }
    svg .series-b { stroke: #8250df; fill: none; stroke-width: 2; }
    svg .series-c { stroke: #bf3989; fill: none; stroke-width: 2; }
    svg .bar { fill: #0969da; } svg .target { stroke: var(--failed); stroke-dasharray: 4 3; }
    .legend span { margin-right: 1em; } .legend .a { color: #0969da; } .legend .b { color: #8250df; } .legend .c { color: #bf3989; }
    """

  static let icon = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#24292f"/>\
    <path d="M4 4h5a3 3 0 0 1 0 8H4z" fill="none" stroke="#3fb950" stroke-width="2"/></svg>
    """

  /// Follows a running job's log (server-sent events), and asks before a
  /// restore over live data. Loaded with `defer`; no inline script anywhere.
  static let script = """
    "use strict";
    document.addEventListener("DOMContentLoaded", () => {
      const log = document.querySelector("pre.log[data-events]");
      if (log) {
        const source = new EventSource(log.dataset.events);
        source.addEventListener("line", (event) => {
          log.textContent += event.data + "\\n";
          log.scrollTop = log.scrollHeight;
        });
        source.addEventListener("end", (event) => {
          const state = document.querySelector("[data-run-state]");
          if (state) { state.textContent = event.data; }
          source.close();
        });
      }
      for (const form of document.querySelectorAll("form[data-confirm]")) {
        form.addEventListener("submit", (event) => {
          if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
        });
      }
    });
    """
}
