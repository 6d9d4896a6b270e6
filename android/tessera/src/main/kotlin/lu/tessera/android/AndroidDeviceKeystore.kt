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
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Tessera's [DeviceKeystore] on Android: a non-exportable AES-256-GCM key in the Android Keystore,
 * in StrongBox when the device has one, needing no user presence; it wraps the whole vault (the
 * outer layer of ADR 0004). The generation counter (rollback detection, C5) is stored alongside in
 * an [AtomicFile] in `noBackupFilesDir`, which Android never backs up or transfers.
 *
 * Thread-safe; every method blocks briefly (Keystore IPC).
 */
class AndroidDeviceKeystore(
    context: Context,
    private val keyAlias: String = DEFAULT_ALIAS,
) : DeviceKeystore {
    private val strongBox = context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
    private val generationFile = AtomicFile(File(File(context.noBackupFilesDir, "tessera"), "$keyAlias.generation"))

    @Synchronized
    override fun createKey() {
        if (keyStore().containsAlias(keyAlias)) return
        try {
            generate(strongBox)
        } catch (e: StrongBoxUnavailableException) {
            generate(false)
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("device key: ${e.javaClass.simpleName}")
        }
    }

    override fun wrap(plaintext: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key())
            return byteArrayOf(FORMAT) + cipher.iv + cipher.doFinal(plaintext)
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("device key wrap: ${e.javaClass.simpleName}")
        }
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        if (wrapped.size < 1 + IV_BYTES + TAG_BYTES || wrapped[0] != FORMAT) throw PlatformException.Rejected()
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BYTES * 8, wrapped, 1, IV_BYTES))
            return cipher.doFinal(wrapped, 1 + IV_BYTES, wrapped.size - 1 - IV_BYTES)
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
    }

    /**
     * Deletes the key (a crypto-erase of the vault) and the generation with it: the next key
     * starts at 0, as the core's `DeviceKeystore` contract says (a wipe leaves the generation at
     * its "wiped" sentinel, which a new vault could not count on from).
     */
    @Synchronized
    override fun deleteKey() {
        try {
            keyStore().deleteEntry(keyAlias)
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Unavailable("device key delete: ${e.javaClass.simpleName}")
        }
        generationFile.delete()
    }

    private fun key(): SecretKey = keyStore().getKey(keyAlias, null) as SecretKey? ?: throw PlatformException.KeyMissing()

    private fun generate(inStrongBox: Boolean) {
        val spec = KeyGenParameterSpec.Builder(keyAlias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setIsStrongBoxBacked(inStrongBox)
            .build()
        KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE).apply { init(spec) }.generateKey()
    }

    companion object {
        const val DEFAULT_ALIAS = "lu.tessera.device"
        private const val ANDROID_KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val FORMAT: Byte = 1
        private const val IV_BYTES = 12
        private const val TAG_BYTES = 16

        private fun keyStore(): KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
    }
}
