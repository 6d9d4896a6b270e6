// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.camera.view

import android.content.Context
import android.view.View
import androidx.camera.core.Preview

class PreviewView(context: Context) : View() {
    val surfaceProvider: Preview.SurfaceProvider get() = TODO()
}
