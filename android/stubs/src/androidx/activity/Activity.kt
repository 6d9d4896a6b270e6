// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.activity

import android.app.Activity
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ViewModel

open class ComponentActivity : Activity(), LifecycleOwner {
    override val lifecycle: Lifecycle get() = TODO()
    override val packageManager get() = TODO()
    override val noBackupFilesDir get() = TODO()
    override val applicationContext get() = TODO()
}

inline fun <reified VM : ViewModel> ComponentActivity.viewModels(): Lazy<VM> = TODO()
