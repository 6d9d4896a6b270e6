package lu.tessera.android

import android.graphics.ImageFormat
import android.util.Size
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.resolutionselector.ResolutionSelector
import androidx.camera.core.resolutionselector.ResolutionStrategy
import lu.tessera.ffi.Authenticator
import lu.tessera.ffi.ScannedRequest
import lu.tessera.ffi.TesseraException
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean

/**
 * A CameraX analyzer that hands each `YUV_420_888` frame's planes, with their row and pixel
 * strides, to `Authenticator.scanFrame` (packed by [FramePacker]: one copy of the bytes the core
 * reads, into arrays reused from frame to frame).
 *
 * Runs on the analysis executor given to [imageAnalysis], never the main thread. With
 * `STRATEGY_KEEP_ONLY_LATEST`, CameraX drops the frames that arrive while one is being decoded
 * (a frame can take tens of milliseconds).
 *
 * The first frame that shows a Tessera code ends the scan: [onResult] gets the request (the
 * receiver owns it and closes it), and later frames are closed unread until [rearm]. A code that
 * is refused (not for this device, expired, already answered, clock wrong) also ends the scan,
 * through [onError]. `BadInput` (a code that is not Tessera's, an impossible frame) is reported
 * and scanning goes on. Both callbacks run on the analysis thread.
 */
class TesseraAnalyzer(
    private val authenticator: Authenticator,
    private val onResult: (ScannedRequest) -> Unit,
    private val onError: (TesseraException) -> Unit,
    private val packer: FramePacker = FramePacker(),
) : ImageAnalysis.Analyzer {
    private val finished = AtomicBoolean(false)

    /** Scans again after a result or a refusal. */
    fun rearm() = finished.set(false)

    override fun analyze(image: ImageProxy) {
        image.use {
            if (finished.get() || image.format != ImageFormat.YUV_420_888) return
            val frame = try {
                packer.packYuv420(image.width, image.height, image.planes.map { PlaneView(it.buffer, it.rowStride, it.pixelStride) })
            } catch (e: IllegalArgumentException) {
                return // a malformed camera buffer: drop the frame
            }
            val request = try {
                authenticator.scanFrame(frame)
            } catch (e: TesseraException.BadInput) {
                onError(e)
                return
            } catch (e: TesseraException) {
                if (finished.compareAndSet(false, true)) onError(e)
                return
            }
            if (request == null) return
            if (finished.compareAndSet(false, true)) onResult(request) else request.destroy()
        }
    }

    /**
     * The `ImageAnalysis` use case to bind with the preview: `YUV_420_888`, keep only the latest
     * frame, about 1280×720 (enough for a mosaic filling a third of the view; larger frames cost
     * decode time and no reliability).
     */
    fun imageAnalysis(executor: Executor): ImageAnalysis = ImageAnalysis.Builder()
        .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
        .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_YUV_420_888)
        .setResolutionSelector(
            ResolutionSelector.Builder()
                .setResolutionStrategy(
                    ResolutionStrategy(Size(1280, 720), ResolutionStrategy.FALLBACK_RULE_CLOSEST_HIGHER_THEN_LOWER),
                )
                .build(),
        )
        .build()
        .also { it.setAnalyzer(executor, this) }
}
