package lu.tessera.android

import android.content.Context
import androidx.core.util.AtomicFile
import lu.tessera.ffi.PlatformException
import lu.tessera.ffi.SecureStorage
import java.io.File
import java.io.FileNotFoundException
import java.io.IOException

/**
 * Tessera's [SecureStorage] on Android: one app-private file per blob, replaced atomically with
 * [AtomicFile] (written to a new file, fsynced, renamed over the old one: a crash leaves the old
 * bytes or the new ones, never a mix). The default directory is `noBackupFilesDir/tessera`, which
 * Android never backs up or moves to a new device; the sample app's `dataExtractionRules` and
 * `fullBackupContent` exclude `tessera/` as well, for apps that choose a directory under
 * `filesDir` (a restored copy of the vault would be an old one: C5).
 *
 * What is stored is already encrypted by the core under the device key; this class adds no crypto.
 * Thread-safe.
 */
class FileSecureStorage(private val directory: File) : SecureStorage {
    constructor(context: Context) : this(File(context.noBackupFilesDir, "tessera"))

    @Synchronized
    override fun read(name: String): ByteArray? = try {
        file(name).readFully()
    } catch (e: FileNotFoundException) {
        null
    } catch (e: IOException) {
        throw PlatformException.Unavailable("read $name: ${e.javaClass.simpleName}")
    }

    @Synchronized
    override fun write(name: String, bytes: ByteArray) {
        val file = file(name)
        if (!directory.isDirectory && !directory.mkdirs()) throw PlatformException.Unavailable("cannot create $directory")
        val out = try {
            file.startWrite()
        } catch (e: IOException) {
            throw PlatformException.Unavailable("write $name: ${e.javaClass.simpleName}")
        }
        try {
            out.write(bytes)
            file.finishWrite(out)
        } catch (e: IOException) {
            file.failWrite(out)
            throw PlatformException.Unavailable("write $name: ${e.javaClass.simpleName}")
        }
    }

    @Synchronized
    override fun delete(name: String) {
        file(name).delete()
    }

    private fun file(name: String): AtomicFile {
        // The core's names are fixed words; anything else is refused, never a path.
        if (!NAME.matches(name)) throw PlatformException.Unavailable("invalid blob name")
        return AtomicFile(File(directory, name))
    }

    private companion object {
        val NAME = Regex("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
    }
}
