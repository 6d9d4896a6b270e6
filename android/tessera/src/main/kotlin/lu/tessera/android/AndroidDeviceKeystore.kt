package lu.tessera.android

import android.content.Context
import android.content.pm.PackageManager
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import androidx.core.util.AtomicFile
import lu.tessera.ffi.DeviceKeystore
import lu.tessera.ffi.PlatformException
import java.io.File
import java.io.FileNotFoundException
import java.io.IOException
import java.nio.ByteBuffer
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.Mac
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Tessera's [DeviceKeystore] on Android: non-exportable keys in the Android Keystore, in StrongBox
 * when the device has one, needing no user presence but an unlocked device (ADR 0004, ADR 0009):
 *
 * - wrapping keys (AES-256-GCM) for the whole vault, a new one for every [wrap]: the generation
 *   counter (rollback detection, C5) can only live in a file here, which a backup restore could
 *   bring back with an older vault, so [setGeneration] destroys every older wrapping key and a
 *   restored older vault no longer unwraps;
 * - an HMAC-SHA256 key for [hardwareMac], through which every passcode guess goes, so that a copy
 *   of the vault cannot be guessed at off the device.
 *
 * The generation is stored in an [AtomicFile] in `noBackupFilesDir`. Blobs of the first format
 * (one wrapping key, before rotation) still unwrap until the next [setGeneration].
 *
 * Thread-safe; every method blocks briefly (Keystore IPC).
 */
class AndroidDeviceKeystore(
    context: Context,
    private val keyAlias: String = DEFAULT_ALIAS,
) : DeviceKeystore {
    private val strongBox = context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
    private val generationFile = AtomicFile(File(File(context.noBackupFilesDir, "tessera"), "$keyAlias.generation"))
    private val macAlias = "$keyAlias.mac"
    private val wrapPrefix = "$keyAlias.w"

    @Synchronized
    override fun createKey() {
        if (keyStore().containsAlias(macAlias)) return
        inStrongBoxIfAny { generate(macAlias, KeyProperties.KEY_ALGORITHM_HMAC_SHA256, KeyProperties.PURPOSE_SIGN, it) }
    }

    @Synchronized
    override fun wrap(plaintext: ByteArray): ByteArray {
        if (!keyStore().containsAlias(macAlias)) throw PlatformException.KeyMissing()
        val index = (wrapIndices().maxOrNull() ?: 0) + 1
        val alias = wrapPrefix + index
        inStrongBoxIfAny {
            generate(alias, KeyProperties.KEY_ALGORITHM_AES, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT, it)
        }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            cipher.init(Cipher.ENCRYPT_MODE, secretKey(alias))
            val header = ByteBuffer.allocate(5).put(FORMAT_ROTATING).putInt(index).array()
            return header + cipher.iv + cipher.doFinal(plaintext)
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("device key wrap: ${e.javaClass.simpleName}")
        }
    }

    @Synchronized
    override fun unwrap(wrapped: ByteArray): ByteArray {
        val (alias, offset) = when {
            wrapped.size >= 5 && wrapped[0] == FORMAT_ROTATING -> wrapPrefix + ByteBuffer.wrap(wrapped, 1, 4).int to 5
            wrapped.isNotEmpty() && wrapped[0] == FORMAT_SINGLE_KEY -> keyAlias to 1
            else -> throw PlatformException.Rejected()
        }
        if (wrapped.size < offset + IV_BYTES + TAG_BYTES) throw PlatformException.Rejected()
        // A destroyed wrapping key (an older vault restored from a backup) cannot open it.
        val key = keyStore().getKey(alias, null) as SecretKey?
            ?: if (keyStore().containsAlias(macAlias)) throw PlatformException.Rejected() else throw PlatformException.KeyMissing()
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BYTES * 8, wrapped, offset, IV_BYTES))
            return cipher.doFinal(wrapped, offset + IV_BYTES, wrapped.size - offset - IV_BYTES)
        } catch (e: AEADBadTagException) {
            throw PlatformException.Rejected()
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("device key unwrap: ${e.javaClass.simpleName}")
        }
    }

    @Synchronized
    override fun generation(): ULong = try {
        val bytes = generationFile.readFully()
        if (bytes.size != 8) throw PlatformException.Unavailable("generation file: ${bytes.size} bytes")
        ByteBuffer.wrap(bytes).long.toULong()
    } catch (e: FileNotFoundException) {
        0uL
    } catch (e: IOException) {
        throw PlatformException.Unavailable("generation read: ${e.javaClass.simpleName}")
    }

    /**
     * Stores the generation, then destroys every wrapping key older than the newest (and the
     * first format's single key): the vault just stored is the only one that still unwraps.
     */
    @Synchronized
    override fun setGeneration(generation: ULong) {
        generationFile.baseFile.parentFile?.mkdirs()
        val out = try {
            generationFile.startWrite()
        } catch (e: IOException) {
            throw PlatformException.Unavailable("generation write: ${e.javaClass.simpleName}")
        }
        try {
            out.write(ByteBuffer.allocate(8).putLong(generation.toLong()).array())
            generationFile.finishWrite(out) // fsync, then rename over the old file
        } catch (e: IOException) {
            generationFile.failWrite(out)
            throw PlatformException.Unavailable("generation write: ${e.javaClass.simpleName}")
        }
        val newest = wrapIndices().maxOrNull() ?: return
        try {
            val store = keyStore()
            wrapIndices().filter { it < newest }.forEach { store.deleteEntry(wrapPrefix + it) }
            if (store.containsAlias(keyAlias)) store.deleteEntry(keyAlias)
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("older wrapping keys: ${e.javaClass.simpleName}")
        }
    }

    /** HMAC-SHA256 of [input] by the Keystore's MAC key, which never leaves it. */
    override fun hardwareMac(input: ByteArray): ByteArray {
        val key = secretKey(macAlias)
        try {
            return Mac.getInstance(KeyProperties.KEY_ALGORITHM_HMAC_SHA256).apply { init(key) }.doFinal(input)
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("hardware MAC: ${e.javaClass.simpleName}")
        }
    }

    /**
     * Deletes the keys (a crypto-erase of the vault) and the generation with them: the next key
     * starts at 0, as the core's `DeviceKeystore` contract says (a wipe leaves the generation at
     * its "wiped" sentinel, which a new vault could not count on from).
     */
    @Synchronized
    override fun deleteKey() {
        try {
            val store = keyStore()
            (wrapIndices().map { wrapPrefix + it } + keyAlias + macAlias)
                .filter { store.containsAlias(it) }
                .forEach { store.deleteEntry(it) }
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("device key delete: ${e.javaClass.simpleName}")
        }
        generationFile.delete()
    }

    private fun secretKey(alias: String): SecretKey =
        keyStore().getKey(alias, null) as SecretKey? ?: throw PlatformException.KeyMissing()

    private fun wrapIndices(): List<Int> =
        keyStore().aliases().toList().filter { it.startsWith(wrapPrefix) }.mapNotNull { it.removePrefix(wrapPrefix).toIntOrNull() }

    /** Runs [make] in StrongBox when the device has one, else in the TEE. */
    private fun inStrongBoxIfAny(make: (Boolean) -> Unit) {
        try {
            try {
                make(strongBox)
            } catch (e: StrongBoxUnavailableException) {
                make(false)
            }
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("device key: ${e.javaClass.simpleName}")
        }
    }

    private fun generate(alias: String, algorithm: String, purposes: Int, inStrongBox: Boolean) {
        val spec = KeyGenParameterSpec.Builder(alias, purposes).apply {
            if (algorithm == KeyProperties.KEY_ALGORITHM_AES) {
                setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                setKeySize(256)
            }
            setUnlockedDeviceRequired(true)
            setIsStrongBoxBacked(inStrongBox)
        }.build()
        KeyGenerator.getInstance(algorithm, ANDROID_KEYSTORE).apply { init(spec) }.generateKey()
    }

    companion object {
        const val DEFAULT_ALIAS = "lu.tessera.device"
        private const val ANDROID_KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val FORMAT_SINGLE_KEY: Byte = 1
        private const val FORMAT_ROTATING: Byte = 2
        private const val IV_BYTES = 12
        private const val TAG_BYTES = 16

        private fun keyStore(): KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
    }
}
