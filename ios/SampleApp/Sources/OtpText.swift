import Foundation

/// How an OTP is shown and spoken (the same rules as the Android sample's `OtpText`).
enum OtpText {
    /// For the eye: groups of four ("4750 0476"), or 3 + 3 for six digits ("123 456"). An
    /// activation's confirmation code comes grouped already ("7KQ3-9ZTM-…", 24 letters and
    /// digits): its groups are kept, with spaces so that the line breaks between them.
    static func grouped(_ otp: String) -> String {
        if otp.contains("-") {
            return otp.replacingOccurrences(of: "-", with: " ")
        }
        let size = otp.count == 6 ? 3 : 4
        var groups: [String] = []
        var rest = Substring(otp)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return groups.joined(separator: " ")
    }

    /// For the ear: one digit at a time ("4 7 5 0 0 4 7 6"), so VoiceOver reads "four, seven,
    /// five…" and not "forty-seven million…".
    static func spoken(_ otp: String) -> String {
        otp.filter { !$0.isWhitespace && $0 != "-" }.map(String.init).joined(separator: " ")
    }
}
