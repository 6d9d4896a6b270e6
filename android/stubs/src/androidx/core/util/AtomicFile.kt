// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.core.util

import java.io.File
import java.io.FileOutputStream

class AtomicFile(val baseFile: File) {
    fun startWrite(): FileOutputStream = TODO()
    fun finishWrite(str: FileOutputStream?) {}
    fun failWrite(str: FileOutputStream?) {}
    fun readFully(): ByteArray = TODO()
    fun delete() {}
}
