// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.camera.core.resolutionselector

import android.util.Size

class ResolutionSelector private constructor() {
    class Builder {
        fun setResolutionStrategy(resolutionStrategy: ResolutionStrategy): Builder = TODO()
        fun build(): ResolutionSelector = TODO()
    }
}

class ResolutionStrategy(boundSize: Size, fallbackRule: Int) {
    companion object {
        const val FALLBACK_RULE_CLOSEST_HIGHER_THEN_LOWER = 1
    }
}
