//! The portal's words in French (the default), English and German.
//!
//! The language is the `tessera_lang` cookie set by the switch in every
//! page's header, else the best of the browser's `Accept-Language`, else
//! French. Every text lives in one [`Texts`] table per language, so a
//! missing translation is a compile error rather than a blank on screen.

/// A language of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Français (the default).
    Fr,
    /// English.
    En,
    /// Deutsch.
    De,
}

impl Lang {
    /// Every language, in the order of the switch.
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::En, Lang::De];

    /// The ISO 639-1 code (`fr`, `en`, `de`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// The language of a code (`fr`, `en-GB`, `DE`), if the portal has it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next().unwrap_or("").trim();
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The best language of an `Accept-Language` header (highest q first,
    /// then order of appearance), French when none is supported.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        for item in accept_language.split(',').take(32) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut q = 1000u16;
            for p in parts {
                if let Some(v) = p.trim().strip_prefix("q=") {
                    q = parse_q(v.trim()).unwrap_or(0);
                }
            }
            if q == 0 {
                continue;
            }
            if let Some(lang) = Lang::from_code(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Fr, |(_, l)| l)
    }

    /// This language's texts.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
            Lang::De => &DE,
        }
    }

    /// "42 s", "2 min 55 s", "1 h 05 min" (the same units in the three
    /// languages).
    pub fn duration(self, secs: u64) -> String {
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        if h > 0 {
            format!("{h} h {m:02} min")
        } else if m > 0 {
            format!("{m} min {s:02} s")
        } else {
            format!("{s} s")
        }
    }

    /// How long a mosaic stays valid.
    pub fn expires_in(self, secs: u64) -> String {
        let d = self.duration(secs);
        match self {
            Lang::Fr => format!("Cette mosaïque expire dans {d}."),
            Lang::En => format!("This mosaic expires in {d}."),
            Lang::De => format!("Dieses Mosaik läuft in {d} ab."),
        }
    }

    /// A wrong OTP, with the attempts left before the mobile is locked.
    pub fn wrong_otp(self, left: u32) -> String {
        match self {
            Lang::Fr => {
                format!("Code incorrect. Encore {left} essai(s) avant le blocage de ce mobile.")
            }
            Lang::En => format!("Wrong code. {left} attempt(s) left before this mobile is locked."),
            Lang::De => format!(
                "Falscher Code. Noch {left} Versuch(e), bevor dieses Mobilgerät gesperrt wird."
            ),
        }
    }

    /// What was typed is not an OTP (not `digits` digits); not counted.
    pub fn malformed_otp(self, digits: u8) -> String {
        match self {
            Lang::Fr => format!("Le code a {digits} chiffres."),
            Lang::En => format!("The code has {digits} digits."),
            Lang::De => format!("Der Code hat {digits} Ziffern."),
        }
    }

    /// Too many attempts: wait.
    pub fn throttled(self, secs: u64) -> String {
        let d = self.duration(secs);
        match self {
            Lang::Fr => format!("Trop de tentatives. Réessayez dans {d}."),
            Lang::En => format!("Too many attempts. Try again in {d}."),
            Lang::De => format!("Zu viele Versuche. Versuchen Sie es in {d} erneut."),
        }
    }

    /// Greeting of the signed-in page.
    pub fn welcome(self, name: &str) -> String {
        match self {
            Lang::Fr => format!("Bienvenue, {name}."),
            Lang::En => format!("Welcome, {name}."),
            Lang::De => format!("Willkommen, {name}."),
        }
    }

    /// Who is signed in, for the header.
    pub fn signed_in_as(self, user: &str) -> String {
        match self {
            Lang::Fr => format!("Connecté : {user}"),
            Lang::En => format!("Signed in: {user}"),
            Lang::De => format!("Angemeldet: {user}"),
        }
    }

    /// A mobile in a list: its short identifier and activation date.
    pub fn mobile_label(self, short_id: &str, date: &str) -> String {
        match self {
            Lang::Fr => format!("Mobile …{short_id}, activé le {date}"),
            Lang::En => format!("Mobile …{short_id}, activated on {date}"),
            Lang::De => format!("Mobilgerät …{short_id}, aktiviert am {date}"),
        }
    }
}

/// A q-value ("0.8", "1", "1.000") in thousandths.
fn parse_q(v: &str) -> Option<u16> {
    let (units, decimals) = v.split_once('.').unwrap_or((v, ""));
    if decimals.len() > 3 || !decimals.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut q: u16 = match units {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut scale = 100u16;
    for b in decimals.bytes() {
        q = q.saturating_add(u16::from(b - b'0') * scale);
        scale /= 10;
    }
    (q <= 1000).then_some(q)
}

/// Every fixed text of the portal in one language.
#[derive(Debug)]
pub struct Texts {
    /// In English: “Authentication portal”.
    pub portal_title: &'static str,
    /// In English: “Sign in with your user ID and password, then confirm with your mobile.”
    pub login_intro: &'static str,
    /// In English: “User ID”.
    pub user_id: &'static str,
    /// In English: “Password”.
    pub password: &'static str,
    /// In English: “Continue”.
    pub continue_: &'static str,
    /// In English: “Wrong user ID or password.”
    pub bad_credentials: &'static str,
    /// In English: “Choose your mobile”.
    pub choose_mobile: &'static str,
    /// In English: “Which mobile do you want to sign in with?”
    pub choose_mobile_intro: &'static str,
    /// In English: “Show the mosaic”.
    pub show_mosaic: &'static str,
    /// In English: “Sign in with your mobile”.
    pub login_with_mobile: &'static str,
    /// In English: “Open the Tessera app on your mobile and scan the mosaic below. / Check the portal and…”
    pub login_steps: [&'static str; 3],
    /// In English: “Mosaic to scan with the Tessera app”.
    pub mosaic_alt: &'static str,
    /// In English: “One-time password”.
    pub otp: &'static str,
    /// In English: “Authenticate”.
    pub authenticate: &'static str,
    /// In English: “You are signed in”.
    pub connected: &'static str,
    /// In English: “My account”.
    pub my_account: &'static str,
    /// In English: “Transfer”.
    pub transfer: &'static str,
    /// In English: “Sign out”.
    pub logout: &'static str,
    /// In English: “You are signed out.”
    pub logged_out: &'static str,
    /// In English: “Your mobiles”.
    pub your_mobiles: &'static str,
    /// In English: “No activated mobile.”
    pub no_mobile: &'static str,
    /// In English: “Add a mobile”.
    pub add_mobile: &'static str,
    /// In English: “Remove”.
    pub remove: &'static str,
    /// In English: “Open the Tessera app on your new mobile and scan the activation mosaic. / Type the ac…”
    pub activation_steps: [&'static str; 4],
    /// In English: “Activation code”.
    pub activation_code: &'static str,
    /// In English: “Demonstration: in real life this code reaches you by letter and is never shown on scr…”
    pub activation_code_note: &'static str,
    /// In English: “Confirmation code”.
    pub confirmation_code: &'static str,
    /// In English: “24 letters and digits, in groups of four: ABCD-EFGH-JKMN-PQRS-TVWX-YZ01.”
    pub confirmation_hint: &'static str,
    /// In English: “The confirmation code has 24 letters and digits, like ABCD-EFGH-JKMN-PQRS-TVWX-YZ01.”
    pub malformed_confirmation: &'static str,
    /// In English: “Confirm”.
    pub confirm: &'static str,
    /// In English: “Your mobile is activated.”
    pub mobile_activated: &'static str,
    /// In English: “The mobile was removed.”
    pub mobile_removed: &'static str,
    /// In English: “To make a transfer, sign out and sign in again with your mobile.”
    pub relogin_hint: &'static str,
    /// In English: “You have no activated mobile yet: add one to sign in and sign your transfers.”
    pub no_mobile_hint: &'static str,
    /// In English: “Amount (EUR)”.
    pub amount: &'static str,
    /// In English: “Payee”.
    pub payee: &'static str,
    /// In English: “IBAN”.
    pub iban: &'static str,
    /// In English: “Reference (optional)”.
    pub reference: &'static str,
    /// In English: “Mobile”.
    pub mobile: &'static str,
    /// In English: “Sign with my mobile”.
    pub sign_with_mobile: &'static str,
    /// In English: “Enter the transfer; you will sign it with your mobile.”
    pub transfer_intro: &'static str,
    /// In English: “Sign the transfer with your mobile”.
    pub sign_title: &'static str,
    /// In English: “Your mobile must show exactly this transfer:”
    pub sign_check: &'static str,
    /// In English: “Scan the mosaic with the Tessera app. / Check the amount, payee and IBAN it shows, th…”
    pub sign_steps: [&'static str; 3],
    /// In English: “Confirm the transfer”.
    pub confirm_transfer: &'static str,
    /// In English: “Transfer confirmed”.
    pub transfer_done: &'static str,
    /// In English: “Your transfer was signed with your mobile.”
    pub transfer_done_text: &'static str,
    /// In English: “New transfer”.
    pub new_transfer: &'static str,
    /// In English: “This mosaic has expired.”
    pub expired: &'static str,
    /// In English: “This mosaic was already used.”
    pub already_used: &'static str,
    /// In English: “Show a new mosaic”.
    pub new_mosaic: &'static str,
    /// In English: “This mobile is locked after too many wrong codes. Contact support to unlock it.”
    pub token_locked: &'static str,
    /// In English: “This form is no longer valid (did the session expire?). Reload the page and try again.”
    pub csrf: &'static str,
    /// In English: “Page not found.”
    pub not_found: &'static str,
    /// In English: “Please sign in.”
    pub login_required: &'static str,
    /// In English: “Sign in with your mobile to open this page.”
    pub mobile_required: &'static str,
    /// In English: “The activation has expired or no longer exists; start again.”
    pub activation_expired: &'static str,
    /// In English: “Invalid amount: type a number like 120.50.”
    pub invalid_amount: &'static str,
    /// In English: “Invalid payee: 1 to 70 characters.”
    pub invalid_payee: &'static str,
    /// In English: “Invalid IBAN: please check it.”
    pub invalid_iban: &'static str,
    /// In English: “Invalid reference: 35 characters at most.”
    pub invalid_reference: &'static str,
    /// In English: “Something went wrong. Try again.”
    pub error: &'static str,
    /// In English: “The portal is overloaded. Try again in a few minutes.”
    pub busy: &'static str,
    /// In English: “This portal does not answer at this address. Open it at its usual address.”
    pub unknown_host: &'static str,
    /// In English: “The request took too long. Try again.”
    pub too_slow: &'static str,
    /// In English: “Back to sign-in”.
    pub back_to_login: &'static str,
    /// In English: “Language”.
    pub language: &'static str,
}

/// Français.
pub static FR: Texts = Texts {
    portal_title: "Portail d'authentification",
    login_intro: "Connectez-vous avec votre identifiant et votre mot de passe, puis confirmez avec votre mobile.",
    user_id: "Identifiant (User ID)",
    password: "Mot de passe",
    continue_: "Continuer",
    bad_credentials: "Identifiant ou mot de passe incorrect.",
    choose_mobile: "Choisissez votre mobile",
    choose_mobile_intro: "Avec quel mobile voulez-vous vous authentifier ?",
    show_mosaic: "Afficher la mosaïque",
    login_with_mobile: "Authentification avec votre mobile",
    login_steps: [
        "Ouvrez l'application Tessera sur votre mobile et scannez la mosaïque ci-dessous.",
        "Vérifiez le portail et l'identifiant affichés, puis autorisez avec votre code personnel ou la biométrie.",
        "Saisissez ici le code à usage unique affiché par votre mobile.",
    ],
    mosaic_alt: "Mosaïque à scanner avec l'application Tessera",
    otp: "Code à usage unique",
    authenticate: "S'authentifier",
    connected: "Vous êtes connecté",
    my_account: "Mon compte",
    transfer: "Virement",
    logout: "Se déconnecter",
    logged_out: "Vous êtes déconnecté.",
    your_mobiles: "Vos mobiles",
    no_mobile: "Aucun mobile activé.",
    add_mobile: "Ajouter un mobile",
    remove: "Retirer",
    activation_steps: [
        "Ouvrez l'application Tessera sur votre nouveau mobile et scannez la mosaïque d'activation.",
        "Saisissez dans l'application le code d'activation.",
        "Choisissez votre code personnel (6 à 16 caractères) et, si vous le souhaitez, activez la biométrie.",
        "Saisissez ici le code de confirmation affiché par l'application.",
    ],
    activation_code: "Code d'activation",
    activation_code_note: "Démonstration : dans la vraie vie, ce code vous est envoyé par courrier, jamais affiché à l'écran.",
    confirmation_code: "Code de confirmation",
    confirmation_hint: "24 lettres et chiffres, par groupes de quatre : ABCD-EFGH-JKMN-PQRS-TVWX-YZ01.",
    malformed_confirmation: "Le code de confirmation a 24 lettres et chiffres, comme ABCD-EFGH-JKMN-PQRS-TVWX-YZ01.",
    confirm: "Confirmer",
    mobile_activated: "Votre mobile est activé.",
    mobile_removed: "Le mobile a été retiré.",
    relogin_hint: "Pour effectuer un virement, déconnectez-vous puis reconnectez-vous avec votre mobile.",
    no_mobile_hint: "Vous n'avez pas encore de mobile activé : ajoutez-en un pour vous authentifier et signer vos virements.",
    amount: "Montant (EUR)",
    payee: "Bénéficiaire",
    iban: "IBAN",
    reference: "Référence (facultatif)",
    mobile: "Mobile",
    sign_with_mobile: "Signer avec mon mobile",
    transfer_intro: "Saisissez le virement ; vous le signerez avec votre mobile.",
    sign_title: "Signez le virement avec votre mobile",
    sign_check: "Votre mobile doit afficher exactement ce virement :",
    sign_steps: [
        "Scannez la mosaïque avec l'application Tessera.",
        "Vérifiez le montant, le bénéficiaire et l'IBAN affichés, puis autorisez.",
        "Saisissez ici le code à usage unique affiché par votre mobile.",
    ],
    confirm_transfer: "Confirmer le virement",
    transfer_done: "Virement confirmé",
    transfer_done_text: "Votre virement a été signé avec votre mobile.",
    new_transfer: "Nouveau virement",
    expired: "Cette mosaïque a expiré.",
    already_used: "Cette mosaïque a déjà été utilisée.",
    new_mosaic: "Afficher une nouvelle mosaïque",
    token_locked: "Ce mobile est bloqué après trop de codes incorrects. Contactez le support pour le débloquer.",
    csrf: "Ce formulaire n'est plus valable (session expirée ?). Rechargez la page et réessayez.",
    not_found: "Page introuvable.",
    login_required: "Veuillez vous connecter.",
    mobile_required: "Connectez-vous avec votre mobile pour accéder à cette page.",
    activation_expired: "L'activation a expiré ou n'existe plus ; recommencez.",
    invalid_amount: "Montant invalide : saisissez un nombre comme 120.50.",
    invalid_payee: "Bénéficiaire invalide : 1 à 70 caractères.",
    invalid_iban: "IBAN invalide : vérifiez-le.",
    invalid_reference: "Référence invalide : 35 caractères au plus.",
    error: "Une erreur est survenue. Réessayez.",
    busy: "Le portail est surchargé. Réessayez dans quelques minutes.",
    unknown_host: "Ce portail ne répond pas sous cette adresse. Ouvrez-le à son adresse habituelle.",
    too_slow: "La requête a pris trop de temps. Réessayez.",
    back_to_login: "Retour à la connexion",
    language: "Langue",
};

/// English.
pub static EN: Texts = Texts {
    portal_title: "Authentication portal",
    login_intro: "Sign in with your user ID and password, then confirm with your mobile.",
    user_id: "User ID",
    password: "Password",
    continue_: "Continue",
    bad_credentials: "Wrong user ID or password.",
    choose_mobile: "Choose your mobile",
    choose_mobile_intro: "Which mobile do you want to sign in with?",
    show_mosaic: "Show the mosaic",
    login_with_mobile: "Sign in with your mobile",
    login_steps: [
        "Open the Tessera app on your mobile and scan the mosaic below.",
        "Check the portal and user ID it shows, then authorise with your passcode or biometrics.",
        "Type here the one-time password your mobile shows.",
    ],
    mosaic_alt: "Mosaic to scan with the Tessera app",
    otp: "One-time password",
    authenticate: "Authenticate",
    connected: "You are signed in",
    my_account: "My account",
    transfer: "Transfer",
    logout: "Sign out",
    logged_out: "You are signed out.",
    your_mobiles: "Your mobiles",
    no_mobile: "No activated mobile.",
    add_mobile: "Add a mobile",
    remove: "Remove",
    activation_steps: [
        "Open the Tessera app on your new mobile and scan the activation mosaic.",
        "Type the activation code into the app.",
        "Choose your passcode (6 to 16 characters) and, if you like, enable biometrics.",
        "Type here the confirmation code the app shows.",
    ],
    activation_code: "Activation code",
    activation_code_note: "Demonstration: in real life this code reaches you by letter and is never shown on screen.",
    confirmation_code: "Confirmation code",
    confirmation_hint: "24 letters and digits, in groups of four: ABCD-EFGH-JKMN-PQRS-TVWX-YZ01.",
    malformed_confirmation: "The confirmation code has 24 letters and digits, like ABCD-EFGH-JKMN-PQRS-TVWX-YZ01.",
    confirm: "Confirm",
    mobile_activated: "Your mobile is activated.",
    mobile_removed: "The mobile was removed.",
    relogin_hint: "To make a transfer, sign out and sign in again with your mobile.",
    no_mobile_hint: "You have no activated mobile yet: add one to sign in and sign your transfers.",
    amount: "Amount (EUR)",
    payee: "Payee",
    iban: "IBAN",
    reference: "Reference (optional)",
    mobile: "Mobile",
    sign_with_mobile: "Sign with my mobile",
    transfer_intro: "Enter the transfer; you will sign it with your mobile.",
    sign_title: "Sign the transfer with your mobile",
    sign_check: "Your mobile must show exactly this transfer:",
    sign_steps: [
        "Scan the mosaic with the Tessera app.",
        "Check the amount, payee and IBAN it shows, then authorise.",
        "Type here the one-time password your mobile shows.",
    ],
    confirm_transfer: "Confirm the transfer",
    transfer_done: "Transfer confirmed",
    transfer_done_text: "Your transfer was signed with your mobile.",
    new_transfer: "New transfer",
    expired: "This mosaic has expired.",
    already_used: "This mosaic was already used.",
    new_mosaic: "Show a new mosaic",
    token_locked: "This mobile is locked after too many wrong codes. Contact support to unlock it.",
    csrf: "This form is no longer valid (did the session expire?). Reload the page and try again.",
    not_found: "Page not found.",
    login_required: "Please sign in.",
    mobile_required: "Sign in with your mobile to open this page.",
    activation_expired: "The activation has expired or no longer exists; start again.",
    invalid_amount: "Invalid amount: type a number like 120.50.",
    invalid_payee: "Invalid payee: 1 to 70 characters.",
    invalid_iban: "Invalid IBAN: please check it.",
    invalid_reference: "Invalid reference: 35 characters at most.",
    error: "Something went wrong. Try again.",
    busy: "The portal is overloaded. Try again in a few minutes.",
    unknown_host: "This portal does not answer at this address. Open it at its usual address.",
    too_slow: "The request took too long. Try again.",
    back_to_login: "Back to sign-in",
    language: "Language",
};

/// Deutsch.
pub static DE: Texts = Texts {
    portal_title: "Authentifizierungsportal",
    login_intro: "Melden Sie sich mit Benutzerkennung und Passwort an und bestätigen Sie mit Ihrem Mobilgerät.",
    user_id: "Benutzerkennung (User ID)",
    password: "Passwort",
    continue_: "Weiter",
    bad_credentials: "Benutzerkennung oder Passwort falsch.",
    choose_mobile: "Wählen Sie Ihr Mobilgerät",
    choose_mobile_intro: "Mit welchem Mobilgerät möchten Sie sich anmelden?",
    show_mosaic: "Mosaik anzeigen",
    login_with_mobile: "Anmeldung mit Ihrem Mobilgerät",
    login_steps: [
        "Öffnen Sie die Tessera-App auf Ihrem Mobilgerät und scannen Sie das Mosaik unten.",
        "Prüfen Sie das angezeigte Portal und die Benutzerkennung und bestätigen Sie mit Ihrem persönlichen Code oder biometrisch.",
        "Geben Sie hier das Einmalpasswort ein, das Ihr Mobilgerät anzeigt.",
    ],
    mosaic_alt: "Mosaik zum Scannen mit der Tessera-App",
    otp: "Einmalpasswort",
    authenticate: "Authentifizieren",
    connected: "Sie sind angemeldet",
    my_account: "Mein Konto",
    transfer: "Überweisung",
    logout: "Abmelden",
    logged_out: "Sie sind abgemeldet.",
    your_mobiles: "Ihre Mobilgeräte",
    no_mobile: "Kein aktiviertes Mobilgerät.",
    add_mobile: "Mobilgerät hinzufügen",
    remove: "Entfernen",
    activation_steps: [
        "Öffnen Sie die Tessera-App auf Ihrem neuen Mobilgerät und scannen Sie das Aktivierungsmosaik.",
        "Geben Sie den Aktivierungscode in der App ein.",
        "Wählen Sie Ihren persönlichen Code (6 bis 16 Zeichen) und aktivieren Sie auf Wunsch die Biometrie.",
        "Geben Sie hier den Bestätigungscode ein, den die App anzeigt.",
    ],
    activation_code: "Aktivierungscode",
    activation_code_note: "Demonstration: In Wirklichkeit erhalten Sie diesen Code per Post; er wird nie am Bildschirm angezeigt.",
    confirmation_code: "Bestätigungscode",
    confirmation_hint: "24 Buchstaben und Ziffern in Vierergruppen: ABCD-EFGH-JKMN-PQRS-TVWX-YZ01.",
    malformed_confirmation: "Der Bestätigungscode hat 24 Buchstaben und Ziffern, etwa ABCD-EFGH-JKMN-PQRS-TVWX-YZ01.",
    confirm: "Bestätigen",
    mobile_activated: "Ihr Mobilgerät ist aktiviert.",
    mobile_removed: "Das Mobilgerät wurde entfernt.",
    relogin_hint: "Für eine Überweisung melden Sie sich ab und mit Ihrem Mobilgerät wieder an.",
    no_mobile_hint: "Sie haben noch kein aktiviertes Mobilgerät: Fügen Sie eines hinzu, um sich anzumelden und Überweisungen zu signieren.",
    amount: "Betrag (EUR)",
    payee: "Empfänger",
    iban: "IBAN",
    reference: "Verwendungszweck (optional)",
    mobile: "Mobilgerät",
    sign_with_mobile: "Mit meinem Mobilgerät signieren",
    transfer_intro: "Erfassen Sie die Überweisung; Sie signieren sie mit Ihrem Mobilgerät.",
    sign_title: "Signieren Sie die Überweisung mit Ihrem Mobilgerät",
    sign_check: "Ihr Mobilgerät muss genau diese Überweisung anzeigen:",
    sign_steps: [
        "Scannen Sie das Mosaik mit der Tessera-App.",
        "Prüfen Sie Betrag, Empfänger und IBAN und bestätigen Sie.",
        "Geben Sie hier das Einmalpasswort ein, das Ihr Mobilgerät anzeigt.",
    ],
    confirm_transfer: "Überweisung bestätigen",
    transfer_done: "Überweisung bestätigt",
    transfer_done_text: "Ihre Überweisung wurde mit Ihrem Mobilgerät signiert.",
    new_transfer: "Neue Überweisung",
    expired: "Dieses Mosaik ist abgelaufen.",
    already_used: "Dieses Mosaik wurde bereits verwendet.",
    new_mosaic: "Neues Mosaik anzeigen",
    token_locked: "Dieses Mobilgerät ist nach zu vielen falschen Codes gesperrt. Wenden Sie sich an den Support.",
    csrf: "Dieses Formular ist nicht mehr gültig (Sitzung abgelaufen?). Laden Sie die Seite neu und versuchen Sie es erneut.",
    not_found: "Seite nicht gefunden.",
    login_required: "Bitte melden Sie sich an.",
    mobile_required: "Melden Sie sich mit Ihrem Mobilgerät an, um diese Seite zu öffnen.",
    activation_expired: "Die Aktivierung ist abgelaufen oder existiert nicht mehr; beginnen Sie neu.",
    invalid_amount: "Ungültiger Betrag: Geben Sie eine Zahl wie 120.50 ein.",
    invalid_payee: "Ungültiger Empfänger: 1 bis 70 Zeichen.",
    invalid_iban: "Ungültige IBAN: Bitte prüfen.",
    invalid_reference: "Ungültiger Verwendungszweck: höchstens 35 Zeichen.",
    error: "Ein Fehler ist aufgetreten. Versuchen Sie es erneut.",
    busy: "Das Portal ist überlastet. Versuchen Sie es in einigen Minuten erneut.",
    unknown_host: "Dieses Portal antwortet nicht unter dieser Adresse. Öffnen Sie es unter seiner üblichen Adresse.",
    too_slow: "Die Anfrage hat zu lange gedauert. Versuchen Sie es erneut.",
    back_to_login: "Zurück zur Anmeldung",
    language: "Sprache",
};

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(Lang::negotiate(""), Lang::Fr);
        assert_eq!(Lang::negotiate("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::negotiate("de-DE"), Lang::De);
        assert_eq!(Lang::negotiate("it, de;q=0.5, en;q=0.7"), Lang::En);
        assert_eq!(Lang::negotiate("en;q=0, de;q=0.1"), Lang::De);
        assert_eq!(Lang::negotiate("es, pt"), Lang::Fr);
        assert_eq!(Lang::negotiate("en;q=garbage, fr;q=0.2"), Lang::Fr);
        assert_eq!(Lang::from_code("DE-at"), Some(Lang::De));
        assert_eq!(Lang::from_code("lb"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(Lang::Fr.duration(42), "42 s");
        assert_eq!(Lang::Fr.duration(175), "2 min 55 s");
        assert_eq!(Lang::De.duration(3900), "1 h 05 min");
    }
}
