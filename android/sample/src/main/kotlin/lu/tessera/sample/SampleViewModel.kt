package lu.tessera.sample

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import lu.tessera.android.TesseraAndroid
import lu.tessera.sample.flow.FlowModel
import lu.tessera.sample.flow.FlowState
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/**
 * Holds the flow across configuration changes. Tessera runs on [worker] (one thread: the flow's
 * actions are sequential anyway), camera frames on [analysisExecutor]; neither is the main thread.
 */
class SampleViewModel(app: Application) : AndroidViewModel(app) {
    private val worker: ExecutorService = Executors.newSingleThreadExecutor { Thread(it, "tessera-flow") }

    /** The camera analyzer's thread (ImageAnalysis calls the analyzer there). */
    val analysisExecutor: ExecutorService = Executors.newSingleThreadExecutor { Thread(it, "tessera-camera") }

    val flow = FlowModel(TesseraAndroid.platform(app), worker)

    private val mutableState = MutableStateFlow(flow.state)

    /** What the screens draw; updated from the worker and analysis threads. */
    val state: StateFlow<FlowState> = mutableState.asStateFlow()

    init {
        flow.listener = { mutableState.value = it }
        flow.start()
    }

    override fun onCleared() {
        analysisExecutor.shutdown()
        // After any running action: close the pending objects and the authenticator.
        worker.execute { flow.close() }
        worker.shutdown()
    }
}
