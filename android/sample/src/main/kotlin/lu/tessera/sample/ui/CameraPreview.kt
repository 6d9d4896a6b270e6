package lu.tessera.sample.ui

import android.Manifest
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.LocalLifecycleOwner
import lu.tessera.android.TesseraAnalyzer
import lu.tessera.sample.R
import lu.tessera.sample.SampleViewModel

/** Asks for the camera, then shows the preview while [TesseraAnalyzer] looks for a mosaic. */
@Composable
fun ScanScreen(vm: SampleViewModel) {
    val context = LocalContext.current
    var granted by remember {
        mutableStateOf(ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED)
    }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted = it }
    LaunchedEffect(Unit) { if (!granted) ask.launch(Manifest.permission.CAMERA) }
    Text(stringResource(if (granted) R.string.scan_hint else R.string.scan_camera_denied))
    if (granted) {
        CameraPreview(vm)
    } else {
        Button(onClick = { ask.launch(Manifest.permission.CAMERA) }) { Text(stringResource(R.string.scan_allow_camera)) }
    }
    OutlinedButton(onClick = vm.flow::home) { Text(stringResource(R.string.action_cancel)) }
}

/**
 * The back camera's preview and the analysis use case, bound to the screen's lifecycle: frames
 * go to Tessera on the view model's analysis thread, the result to the flow model.
 */
@Composable
private fun CameraPreview(vm: SampleViewModel) {
    val context = LocalContext.current
    val owner = LocalLifecycleOwner.current
    val auth = vm.flow.authenticator ?: return
    val previewView = remember { PreviewView(context) }
    AndroidView(factory = { previewView }, modifier = Modifier.fillMaxWidth().aspectRatio(3f / 4f))
    DisposableEffect(owner, auth) {
        val analyzer = TesseraAnalyzer(auth, onResult = vm.flow::onScanned, onError = vm.flow::onScanError)
        val future = ProcessCameraProvider.getInstance(context)
        future.addListener({
            val provider = future.get()
            val preview = Preview.Builder().build().also { it.setSurfaceProvider(previewView.surfaceProvider) }
            provider.unbindAll()
            provider.bindToLifecycle(owner, CameraSelector.DEFAULT_BACK_CAMERA, preview, analyzer.imageAnalysis(vm.analysisExecutor))
        }, ContextCompat.getMainExecutor(context))
        onDispose {
            if (future.isDone) future.get().unbindAll()
        }
    }
}
