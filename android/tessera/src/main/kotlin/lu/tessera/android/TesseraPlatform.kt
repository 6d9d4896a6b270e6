package lu.tessera.android

import lu.tessera.ffi.Authenticator
import lu.tessera.ffi.AuthenticatorOptions
import lu.tessera.ffi.Clock
import lu.tessera.ffi.DeviceKeystore
import lu.tessera.ffi.Logger
import lu.tessera.ffi.SecureStorage
import lu.tessera.ffi.eraseVault
import java.nio.CharBuffer
import java.nio.charset.CodingErrorAction

/**
 * The platform an [Authenticator] runs on: what the app builds once (Android:
 * [TesseraAndroid.platform]; tests: fakes) and opens the authenticator over. Every call here
 * blocks: make it off the main thread (bindings/README.md, "Threading rules for the shells").
 */
class TesseraPlatform(
    val storage: SecureStorage,
    val keystore: DeviceKeystore,
    val clock: Clock,
    val logger: Logger? = null,
    /** `null`: the library's defaults (a 500 ms passcode KDF, 120 s of clock skew). */
    val options: AuthenticatorOptions? = null,
) {
    /** Opens the authenticator over this platform (one per process; close it when the app ends). */
    fun open(): Authenticator = Authenticator(storage, keystore, clock, logger, options)

    /**
     * Deletes the vault and the device key: the only way out of `Wiped` and `VaultUnusable`.
     * Close the open [Authenticator] first and [open] a new one afterwards.
     */
    fun erase() = eraseVault(storage, keystore)
}

/** Passcodes cross the FFI as UTF-8 bytes (C11), never as a `String` Tessera would keep. */
object Passcodes {
    /**
     * The UTF-8 bytes of [chars], with no intermediate `String`. The caller clears both arrays
     * (`fill(0)`) after the call that used them. Unpaired surrogates are refused.
     */
    fun utf8(chars: CharArray): ByteArray {
        val encoder = Charsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
        val buffer = encoder.encode(CharBuffer.wrap(chars))
        val bytes = ByteArray(buffer.remaining())
        buffer.get(bytes)
        // The encoder's own buffer held the passcode too.
        if (buffer.hasArray()) buffer.array().fill(0)
        return bytes
    }

    /** Runs [block] with the UTF-8 bytes of [chars], then clears the bytes and the chars. */
    inline fun <T> use(chars: CharArray, block: (ByteArray) -> T): T {
        val bytes = utf8(chars)
        try {
            return block(bytes)
        } finally {
            bytes.fill(0)
            chars.fill('\u0000')
        }
    }
}
