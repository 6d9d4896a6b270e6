// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.core.content

import android.content.Context
import java.util.concurrent.Executor

object ContextCompat {
    @JvmStatic fun getMainExecutor(context: Context): Executor = TODO()
    @JvmStatic fun checkSelfPermission(context: Context, permission: String): Int = TODO()
}
