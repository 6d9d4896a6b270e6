package lu.tessera.sample.flow

/** How an OTP is shown and spoken. */
object OtpText {
    /**
     * For the eye: groups of four from the left ("4750 0476"), or two groups of three for six
     * digits ("123 456"), as bank tokens print them. An activation's confirmation code comes
     * grouped already ("7KQ3-9ZTM-…", 24 letters and digits): its groups are kept, with spaces
     * so that the line breaks between them (the portal reads either).
     */
    fun grouped(otp: String): String {
        if ('-' in otp) return otp.replace('-', ' ')
        val size = if (otp.length == 6) 3 else 4
        return otp.chunked(size).joinToString(" ")
    }

    /**
     * For the ear: one digit at a time ("4 7 5 0 0 4 7 6"), so TalkBack and VoiceOver read
     * "four, seven, five…" and not "forty-seven million…" or "four thousand seven hundred…".
     * Used as the OTP's content description, inside the localised `otp_spoken` sentence.
     */
    fun spoken(otp: String): String = otp.filter { !it.isWhitespace() && it != '-' }.toList().joinToString(" ")
}
