import DatamancyRepository
import Foundation

/// `/restore?set=&item=`: restore into a new database or a scratch folder
/// (operator), or over the live database (admin: the password again, and the
/// item's name typed out).
struct RestorePage {
  var set: BackupSet
  var item: BackupItem
  var isDatabase: Bool
  var scratch: String
  var visitor: Visitor

  func render() -> HTML {
    let hidden: HTML = """
      \(Layout.token(visitor))<input type="hidden" name="set" value="\(set.id)"><input type="hidden" name="item" value="\(item.name)">
      """
    var forms: [HTML] = []
    if isDatabase {
      forms.append(
        """
        <h2>Into a new database</h2><form method="post" action="/actions/restore">\(hidden)<input type="hidden" name="mode" value="database">
        <label for="database">New database name (letters, digits, _)</label><input type="text" id="database" name="target" required pattern="[A-Za-z0-9_]{1,63}">
        <p><button>Restore into the new database</button></p></form>
        """)
    }
    forms.append(
      """
      <h2>Into a scratch folder</h2><form method="post" action="/actions/restore">\(hidden)<input type="hidden" name="mode" value="folder">
      <label for="folder">Folder name under \(scratch) (letters, digits, ., _, -; must not exist)</label><input type="text" id="folder" name="target" required pattern="[A-Za-z0-9._\\-]{1,100}">
      <p><button>Restore into the folder</button></p></form>
      """)
    if isDatabase && visitor.role >= .admin {
      forms.append(
        """
        <h2>Over the live database</h2>
        <p>Replaces the database \(item.name) comes from. Its present contents are backed up first (tag pre-restore).</p>
        <form method="post" action="/actions/restore" data-confirm="Replace the live database \(item.name)?">\(hidden)<input type="hidden" name="mode" value="original">
        <label for="password">Your password</label><input type="password" id="password" name="password" required autocomplete="current-password">
        <label for="confirm">Type \(item.name) to confirm</label><input type="text" id="confirm" name="confirm" required>
        <p><button class="danger">Restore over the live database</button></p></form>
        """)
    }
    return Layout.page(
      title: "Restore \(item.name)", current: "/sets", visitor: visitor,
      body:
        "<p>From set <a href=\"/sets/\(set.id)\">\(set.shortID)</a> of \(WebFormat.time(set.time)).</p>\(forms)"
    )
  }
}
