package lu.tessera.android

import lu.tessera.ffi.CameraFrame
import lu.tessera.ffi.FramePlane
import lu.tessera.ffi.PixelFormat
import java.nio.ByteBuffer

/**
 * One plane as a camera describes it (`ImageProxy.PlaneProxy`: `buffer`, `rowStride`,
 * `pixelStride`), with no Android type, so packing is tested on the JVM.
 */
class PlaneView(val buffer: ByteBuffer, val rowStride: Int, val pixelStride: Int)

/**
 * Turns camera planes into the core's [CameraFrame] as they are laid out: no conversion, no
 * re-layout. Each plane is copied once, and only the bytes the core reads: from the buffer's
 * position to the last sample of the last row. Row padding inside the span is kept (the row
 * stride says where rows start); whatever the buffer holds after the last sample is not copied,
 * and neither are the chroma planes when [withChroma] is false.
 *
 * The arrays are reused from frame to frame while the sizes stay the same (a camera stream's
 * do), so a running analyzer allocates nothing per frame. A packed frame is therefore valid only
 * until the next call: hand it to `scanFrame` and drop it. Not thread-safe: one packer per
 * analysis thread.
 *
 * Throws [IllegalArgumentException] when a plane's buffer is shorter than its strides say (a
 * camera bug); the analyzer drops that frame.
 */
class FramePacker(
    /**
     * Pass U and V with Y. The core reads the coloured mosaic from its luma first and uses the
     * chroma only when luma finds nothing (colours of equal brightness), so `false` is cheaper
     * and enough for black-and-white codes.
     */
    @Volatile var withChroma: Boolean = true,
) {
    private val arrays = arrayOfNulls<ByteArray>(3)

    /** Android `YUV_420_888` (`ImageProxy.planes`: Y, U, V); Y alone as `LUMA` without chroma. */
    fun packYuv420(width: Int, height: Int, planes: List<PlaneView>): CameraFrame {
        require(planes.size == 3) { "YUV_420_888 has 3 planes, got ${planes.size}" }
        val y = plane(0, "Y", planes[0], width, height, 1)
        if (!withChroma) return CameraFrame(width.toUInt(), height.toUInt(), PixelFormat.LUMA, listOf(y))
        val cw = (width + 1) / 2
        val ch = (height + 1) / 2
        val u = plane(1, "U", planes[1], cw, ch, 1)
        val v = plane(2, "V", planes[2], cw, ch, 1)
        return CameraFrame(width.toUInt(), height.toUInt(), PixelFormat.YUV420, listOf(y, u, v))
    }

    /** One 8-bit grey plane (a Y plane, a greyscale image). */
    fun packLuma(width: Int, height: Int, plane: PlaneView): CameraFrame =
        CameraFrame(width.toUInt(), height.toUInt(), PixelFormat.LUMA, listOf(plane(0, "luma", plane, width, height, 1)))

    /** 8-bit RGBA pixels (`Bitmap.copyPixelsToBuffer` of an `ARGB_8888` bitmap, `RGBA_8888` analysis output). */
    fun packRgba(width: Int, height: Int, plane: PlaneView): CameraFrame =
        CameraFrame(width.toUInt(), height.toUInt(), PixelFormat.RGBA, listOf(plane(0, "RGBA", plane, width, height, 4)))

    private fun plane(index: Int, name: String, p: PlaneView, width: Int, height: Int, bytesPerSample: Int): FramePlane {
        val n = span(name, width, height, p.rowStride, p.pixelStride, bytesPerSample)
        val src = p.buffer.duplicate() // own position: the camera's buffer is left as it was
        require(src.remaining() >= n) { "$name plane: ${src.remaining()} bytes, but $n are needed" }
        val dst = arrays[index]?.takeIf { it.size == n } ?: ByteArray(n).also { arrays[index] = it }
        src.get(dst, 0, n)
        return FramePlane(dst, p.rowStride.toUInt(), p.pixelStride.toUInt())
    }

    companion object {
        /**
         * Bytes from a plane's first sample to the end of its last one: `(height - 1) × rowStride
         * + (width - 1) × pixelStride + bytesPerSample`, checked for overflow and for strides
         * smaller than a sample or a row.
         */
        fun span(name: String, width: Int, height: Int, rowStride: Int, pixelStride: Int, bytesPerSample: Int): Int {
            require(width > 0 && height > 0) { "$name plane: ${width}×$height is not a size" }
            require(pixelStride >= bytesPerSample) { "$name plane: pixel stride $pixelStride < $bytesPerSample" }
            val row = (width - 1).toLong() * pixelStride + bytesPerSample
            require(rowStride >= row) { "$name plane: row stride $rowStride < a row ($row bytes)" }
            val total = (height - 1).toLong() * rowStride + row
            require(total <= Int.MAX_VALUE) { "$name plane: $total bytes is too large" }
            return total.toInt()
        }
    }
}
