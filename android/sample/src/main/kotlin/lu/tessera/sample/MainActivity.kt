package lu.tessera.sample

import android.os.Bundle
import android.view.WindowManager
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.fragment.app.FragmentActivity
import lu.tessera.sample.ui.App

/**
 * The sample's one activity. A [FragmentActivity] because `BiometricPrompt` needs one; Compose
 * draws the screens of [lu.tessera.sample.flow.FlowModel], held by [SampleViewModel].
 */
class MainActivity : FragmentActivity() {
    private val model: SampleViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        // OTPs and transaction details stay out of screenshots and the recent-apps thumbnail.
        window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        setContent {
            MaterialTheme {
                Surface {
                    App(model, this)
                }
            }
        }
    }
}
