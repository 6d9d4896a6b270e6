// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.camera.core

import androidx.camera.core.resolutionselector.ResolutionSelector
import java.nio.ByteBuffer
import java.util.concurrent.Executor

abstract class UseCase

interface Camera

class CameraSelector private constructor() {
    companion object {
        @JvmField val DEFAULT_BACK_CAMERA: CameraSelector = TODO()
    }
}

interface ImageProxy : AutoCloseable {
    val format: Int
    val width: Int
    val height: Int
    val planes: Array<PlaneProxy>
    interface PlaneProxy {
        val rowStride: Int
        val pixelStride: Int
        val buffer: ByteBuffer
    }
}

class ImageAnalysis private constructor() : UseCase() {
    fun interface Analyzer {
        fun analyze(image: ImageProxy)
    }
    fun setAnalyzer(executor: Executor, analyzer: Analyzer) {}
    class Builder {
        fun setBackpressureStrategy(strategy: Int): Builder = TODO()
        fun setOutputImageFormat(outputImageFormat: Int): Builder = TODO()
        fun setResolutionSelector(resolutionSelector: ResolutionSelector): Builder = TODO()
        fun build(): ImageAnalysis = TODO()
    }
    companion object {
        const val STRATEGY_KEEP_ONLY_LATEST = 0
        const val STRATEGY_BLOCK_PRODUCER = 1
        const val OUTPUT_IMAGE_FORMAT_YUV_420_888 = 1
        const val OUTPUT_IMAGE_FORMAT_RGBA_8888 = 2
    }
}

class Preview private constructor() : UseCase() {
    interface SurfaceProvider
    fun setSurfaceProvider(surfaceProvider: SurfaceProvider?) {}
    class Builder {
        fun build(): Preview = TODO()
    }
}
