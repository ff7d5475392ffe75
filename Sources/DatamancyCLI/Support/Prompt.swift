import Foundation

/// Questions on the terminal: a line of text, a choice from a list, yes or no.
/// End of input counts as "no" (or cancels), so nothing happens unasked.
struct Prompt {
  func say(_ text: String) {
    Console.out(text + "\n")
  }

  /// The answer, or `defaultAnswer` for an empty line; nil at end of input.
  func ask(_ question: String, default defaultAnswer: String = "") -> String? {
    let hint = defaultAnswer.isEmpty ? "" : " [\(defaultAnswer)]"
    Console.out("\(question)\(hint): ")
    guard let line = readLine() else { return nil }
    let answer = line.trimmingCharacters(in: .whitespaces)
    return answer.isEmpty ? defaultAnswer : answer
  }

  /// Asks until the answer is one of 1...count (or end of input).
  func choose(_ question: String, _ options: [String], default defaultChoice: Int = 1) -> Int? {
    for (i, option) in options.enumerated() { say("  \(i + 1)) \(option)") }
    while let answer = ask(question, default: String(defaultChoice)) {
      if let number = Int(answer), (1...options.count).contains(number) { return number - 1 }
      say("Answer with a number from 1 to \(options.count).")
    }
    return nil
  }

  /// Yes only for y or yes.
  func confirm(_ question: String) -> Bool {
    guard let answer = ask(question + " [y/N]") else { return false }
    return ["y", "yes"].contains(answer.lowercased())
  }
}
