import DatamancyOperations
import DatamancyRepository
import Foundation

/// `/browse?set=&item=&path=`: a folder of a file tree, with links into its
/// folders and downloads of its files (or of a folder as a tar stream).
struct BrowsePage {
  var set: BackupSet
  var item: BackupItem
  var path: [UInt8]
  var entries: [TreeBrowser.Listed]
  var visitor: Visitor

  func render() -> HTML {
    let base = "set=\(HTML.urlComponent(set.id))&item=\(HTML.urlComponent(item.name))"
    let download = visitor.role >= .operator
    let rows = entries.map { listed -> [HTML] in
      let entry = listed.entry
      let name = TreePath.display(entry.name)
      let target = "\(base)&path=\(PathQuery.encode(listed.path))"
      let link: HTML =
        entry.kind == .directory ? "<a href=\"/browse?\(target)\">\(name)/</a>" : "\(name)"
      let shown: HTML = entry.kind == .symlink ? "\(link) → \(TreePath.display(entry.target))" : link
      let get: HTML =
        download && (entry.kind == .file || entry.kind == .directory)
        ? "<a href=\"/download?\(target)\" download>\(entry.kind == .directory ? "tar" : "download")</a>" : ""
      return [
        shown, "\(entry.modeString)",
        "\(entry.user.isEmpty ? "\(entry.uid)" : String(decoding: entry.user, as: UTF8.self))",
        "\(entry.kind == .directory ? "" : WebFormat.bytes(Int(clamping: entry.size)))",
        "\(WebFormat.time(Date(timeIntervalSince1970: Double(entry.mtime.seconds))))", get,
      ]
    }
    var crumbs: [HTML] = ["<a href=\"/browse?\(base)\">\(item.name)</a>"]
    var prefix: [UInt8] = []
    for part in path.split(separator: UInt8(ascii: "/")) {
      prefix += (prefix.isEmpty ? [] : [UInt8(ascii: "/")]) + part
      crumbs.append(
        "<a href=\"/browse?\(base)&path=\(PathQuery.encode(prefix))\">\(TreePath.display(Array(part)))</a>")
    }
    let whole: HTML =
      download
      ? " · <a href=\"/download?\(base)&path=\(PathQuery.encode(path))\" download>download this folder (tar)</a>"
      : ""
    return Layout.page(
      title: "Files of \(item.name)", current: "/sets", visitor: visitor,
      body: """
        <p>Set <a href="/sets/\(set.id)">\(set.shortID)</a> of \(WebFormat.time(set.time)) · \(HTML.join(crumbs, separator: " / "))\(whole)</p>
        \(Layout.table(["name", "mode", "owner", "size", "modified", ""], rows))
        """)
  }
}
