/// `/login`: the form, and how to create the first user when there is none.
enum LoginPage {
  /// `notice`: why nobody can log in (no user yet, a broken users file).
  static func render(csrf: String, message: String?, notice: String?) -> HTML {
    let notice: HTML = notice.map { "<p class=\"error\">\($0)</p>" } ?? ""
    let error: HTML = message.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
    return Layout.bare(
      title: "Log in",
      body: """
        \(notice)\(error)<form method="post" action="/login">
        <input type="hidden" name="csrf" value="\(csrf)">
        <label for="username">User name</label><input type="text" id="username" name="username" autocomplete="username" required autofocus>
        <label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
        <p><button type="submit">Log in</button></p></form>
        """)
  }
}
