// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package android.content

import android.content.pm.PackageManager
import java.io.File

abstract class Context {
    abstract val packageManager: PackageManager
    abstract val noBackupFilesDir: File
    abstract val applicationContext: Context
    fun getString(resId: Int): String = TODO()
    fun getString(resId: Int, vararg formatArgs: Any): String = TODO()
}
