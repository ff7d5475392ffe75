import DatamancyRepository

extension TreeEntry {
  /// `ls -l`'s type letter and permission string, with setuid, setgid and sticky.
  public var modeString: String {
    let types: [TreeEntry.Kind: Character] = [
      .file: "-", .directory: "d", .symlink: "l", .fifo: "p", .characterDevice: "c", .blockDevice: "b",
    ]
    var text = String(types[kind] ?? "?")
    for (shift, special, lower, upper) in [
      (6, 0o4000, "s", "S"), (3, 0o2000, "s", "S"), (0, 0o1000, "t", "T"),
    ] {
      let bits = (mode >> UInt32(shift)) & 7
      text += bits & 4 != 0 ? "r" : "-"
      text += bits & 2 != 0 ? "w" : "-"
      let execute = bits & 1 != 0
      if mode & UInt32(special) != 0 { text += execute ? lower : upper } else { text += execute ? "x" : "-" }
    }
    return text
  }
}
