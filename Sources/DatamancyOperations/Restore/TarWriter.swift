import CLinux
import DatamancyPOSIX
import DatamancyRepository
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a file tree as a POSIX (pax) tar stream, as folders were stored before
/// file trees: `dump SET ITEM | tar -x` keeps working. Entries are `./path` in
/// name order; a pax record carries what ustar cannot (long or non-ASCII names,
/// nanosecond mtimes, large sizes and ids, xattrs as `SCHILY.xattr.*`, which GNU
/// tar restores with `--xattrs`). Hardlinks are links to the first name; sparse
/// files are written whole, their holes as zeros.
struct TarWriter {
  let repository: Repository
  let output: (Data) throws -> Void
  private var firstNames: [[UInt64]: [UInt8]] = [:]

  init(repository: Repository, output: @escaping (Data) throws -> Void) {
    self.repository = repository
    self.output = output
  }

  mutating func write(_ root: Tree, file: (TreeEntry, (Data) throws -> Void) throws -> Void) throws {
    if let itself = root.entry(named: [46]) { try header(itself, path: Array("./".utf8)) }
    try walk(root, prefix: Array("./".utf8), file: file)
    try output(Data(count: 1024))
  }

  private mutating func walk(
    _ tree: Tree, prefix: [UInt8], file: (TreeEntry, (Data) throws -> Void) throws -> Void
  )
    throws
  {
    for entry in tree.entries where entry.name != [46] {
      let path = prefix + entry.name
      switch entry.kind {
      case .directory:
        try header(entry, path: path + [UInt8(ascii: "/")])
        try walk(try repository.readTree(entry.chunks), prefix: path + [UInt8(ascii: "/")], file: file)
      case .file:
        let key = [entry.device, entry.inode]
        if entry.links > 1, let first = firstNames[key] {
          try header(entry, path: path, link: first)
          continue
        }
        if entry.links > 1 { firstNames[key] = path }
        try header(entry, path: path)
        try file(entry, output)
        let padding = Int((512 - entry.size % 512) % 512)
        if padding > 0 { try output(Data(count: padding)) }
      default:
        try header(entry, path: path)
      }
    }
  }

  /// The pax record (when needed) and the ustar header of one entry.
  private func header(_ entry: TreeEntry, path: [UInt8], link: [UInt8]? = nil) throws {
    let type: UInt8
    switch entry.kind {
    case .file: type = link == nil ? UInt8(ascii: "0") : UInt8(ascii: "1")
    case .symlink: type = UInt8(ascii: "2")
    case .characterDevice: type = UInt8(ascii: "3")
    case .blockDevice: type = UInt8(ascii: "4")
    case .directory: type = UInt8(ascii: "5")
    case .fifo: type = UInt8(ascii: "6")
    }
    let target = link ?? (entry.kind == .symlink ? entry.target : [])
    let size: UInt64 = entry.kind == .file && link == nil ? entry.size : 0
    var records: [([UInt8], [UInt8])] = []
    let plain = { (bytes: [UInt8], limit: Int) in
      bytes.count <= limit && bytes.allSatisfy { $0 >= 32 && $0 < 127 }
    }
    if !plain(path, 100) { records.append((Array("path".utf8), path)) }
    if !plain(target, 100) { records.append((Array("linkpath".utf8), target)) }
    if size >= 0o77777777777 { records.append((Array("size".utf8), Array("\(size)".utf8))) }
    if entry.uid > 0o7777777 { records.append((Array("uid".utf8), Array("\(entry.uid)".utf8))) }
    if entry.gid > 0o7777777 { records.append((Array("gid".utf8), Array("\(entry.gid)".utf8))) }
    if entry.mtime.nanoseconds != 0 || entry.mtime.seconds < 0 {
      let fraction = String(format: "%09u", entry.mtime.nanoseconds)
      records.append((Array("mtime".utf8), Array("\(entry.mtime.seconds).\(fraction)".utf8)))
    }
    for xattr in entry.xattrs { records.append((Array("SCHILY.xattr.".utf8) + xattr.name, xattr.value)) }
    if !records.isEmpty {
      var body: [UInt8] = []
      for (key, value) in records { body += Self.record(key, value) }
      var pax = TreeEntry(
        name: [], kind: .file, mode: 0o644, uid: 0, gid: 0, mtime: entry.mtime, ctime: entry.ctime)
      pax.size = UInt64(body.count)
      try output(
        Self.ustar(
          pax, name: Array("./PaxHeaders/".utf8) + Array(path.suffix(80)), type: UInt8(ascii: "x"), link: [],
          size: UInt64(body.count)))
      try output(Data(body) + Data(count: (512 - body.count % 512) % 512))
    }
    try output(Self.ustar(entry, name: path, type: type, link: target, size: size))
  }

  /// A pax record: `"<length> <key>=<value>\n"`, the length counting itself.
  static func record(_ key: [UInt8], _ value: [UInt8]) -> [UInt8] {
    let rest = key.count + value.count + 3
    var length = rest + String(rest).count
    if String(length).count != String(rest).count { length += 1 }
    return Array("\(length) ".utf8) + key + [UInt8(ascii: "=")] + value + [10]
  }

  /// One 512-byte ustar header; fields that do not fit are cut (the pax record
  /// before it holds them whole).
  static func ustar(_ entry: TreeEntry, name: [UInt8], type: UInt8, link: [UInt8], size: UInt64) -> Data {
    var block = [UInt8](repeating: 0, count: 512)
    func put(_ bytes: [UInt8], at offset: Int, width: Int) {
      for (i, byte) in bytes.prefix(width).enumerated() { block[offset + i] = byte }
    }
    func octal(_ value: UInt64, at offset: Int, width: Int) {
      let digits = String(value, radix: 8)
      let text = digits.count < width ? String(repeating: "0", count: width - 1 - digits.count) + digits : ""
      put(Array(text.utf8), at: offset, width: width - 1)
    }
    // A name of up to 255 bytes splits at a slash into prefix and name.
    var (prefix, short) = ([UInt8](), name)
    if name.count > 100, let slash = name.prefix(156).lastIndex(of: UInt8(ascii: "/")),
      name.count - slash - 1 <= 100
    {
      (prefix, short) = (Array(name[..<slash]), Array(name[(slash + 1)...]))
    }
    put(short, at: 0, width: 100)
    octal(UInt64(entry.mode), at: 100, width: 8)
    octal(UInt64(min(entry.uid, 0o7777777)), at: 108, width: 8)
    octal(UInt64(min(entry.gid, 0o7777777)), at: 116, width: 8)
    octal(min(size, 0o77777777777), at: 124, width: 12)
    octal(UInt64(max(0, min(entry.mtime.seconds, 0o77777777777))), at: 136, width: 12)
    block[156] = type
    put(link, at: 157, width: 100)
    put(Array("ustar\u{0}00".utf8), at: 257, width: 8)
    put(entry.user, at: 265, width: 31)
    put(entry.group, at: 297, width: 31)
    if entry.kind == .characterDevice || entry.kind == .blockDevice {
      octal(UInt64(gnu_dev_major(dev_t(entry.rdev))), at: 329, width: 8)
      octal(UInt64(gnu_dev_minor(dev_t(entry.rdev))), at: 337, width: 8)
    }
    put(prefix, at: 345, width: 155)
    // The checksum is computed with its own field as spaces.
    for i in 148..<156 { block[i] = 32 }
    let sum = block.reduce(0) { $0 + Int($1) }
    put(Array(String(format: "%06o", sum).utf8) + [0, 32], at: 148, width: 8)
    return Data(block)
  }
}
