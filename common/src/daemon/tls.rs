//! TLS 1.3 configurations for the master/minion session (rustls, ring).
//!
//! The master's certificate is self-signed and made from its ed25519 key;
//! what the minion trusts is that key, not the certificate: [`PinVerifier`]
//! reads the key out of the certificate, compares it with the pinned one (or
//! `master_finger` on first contact), and checks the handshake signature
//! with it, so only the holder of the pinned private key can complete the
//! handshake. The minion does not present a certificate; it proves its key
//! after the handshake (see `handshake`).
//!
//! It must not read or write pin files: the minion decides where pins live.

use std::sync::{Arc, Mutex};

use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, ServerConfig, SignatureScheme};

use crate::daemon::keys;
use crate::daemon::DaemonError;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The master's TLS configuration: TLS 1.3 only, a certificate made from `key`.
pub fn server_config(key: &SigningKey) -> Result<Arc<ServerConfig>, DaemonError> {
    let der = key.to_pkcs8_der().map_err(|e| DaemonError::Tls(e.to_string()))?;
    let pkcs8 = PrivatePkcs8KeyDer::from(der.as_bytes().to_vec());
    let pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &rcgen::PKCS_ED25519)
        .map_err(|e| DaemonError::Tls(e.to_string()))?;
    let params = rcgen::CertificateParams::new(vec!["salt".to_string()]).map_err(|e| DaemonError::Tls(e.to_string()))?;
    let cert = params.self_signed(&pair).map_err(|e| DaemonError::Tls(e.to_string()))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| DaemonError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], PrivateKeyDer::Pkcs8(pkcs8))
        .map_err(|e| DaemonError::Tls(e.to_string()))?;
    Ok(Arc::new(config))
}

/// What the minion trusts about the master's key.
#[derive(Clone, Debug)]
pub enum Pin {
    /// The key pinned on first contact (`minion_master.pub`).
    Key(VerifyingKey),
    /// Not pinned yet: accept the key whose fingerprint is this `master_finger`.
    Finger(String),
    /// Not pinned, no `master_finger`: trust on first use.
    FirstUse,
}

/// The minion's certificate verifier: see the module documentation.
#[derive(Debug)]
pub struct PinVerifier {
    pin: Pin,
    seen: Mutex<Option<VerifyingKey>>,
}

/// Salt's message when the master's key changed.
pub const KEY_CHANGED: &str =
    "The master key has changed, the salt master could have been subverted, verify salt master's public key";

impl PinVerifier {
    pub fn new(pin: Pin) -> Arc<Self> {
        Arc::new(PinVerifier { pin, seen: Mutex::new(None) })
    }

    /// The master key presented in the last handshake that passed the pin check.
    pub fn seen(&self) -> Option<VerifyingKey> {
        self.seen.lock().ok().and_then(|s| *s)
    }

    fn check_pin(&self, key: &VerifyingKey) -> Result<(), rustls::Error> {
        match &self.pin {
            Pin::Key(pinned) if pinned != key => Err(rustls::Error::General(KEY_CHANGED.into())),
            Pin::Finger(f) if keys::pem_finger(keys::public_pem(key).as_bytes()) != *f => Err(rustls::Error::General(
                "The specified fingerprint in the master configuration file (master_finger) does not match the master's key".into(),
            )),
            _ => Ok(()),
        }
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let key = cert_key(end_entity).ok_or_else(|| rustls::Error::General("the master's certificate holds no ed25519 key".into()))?;
        self.check_pin(&key)?;
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(key);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("TLS 1.2 is not accepted".into()))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let key = cert_key(cert).ok_or_else(|| rustls::Error::General("the master's certificate holds no ed25519 key".into()))?;
        self.check_pin(&key)?;
        if dss.scheme != SignatureScheme::ED25519 || !keys::verify(&key, message, dss.signature()) {
            return Err(rustls::Error::General("the master's handshake signature is invalid".into()));
        }
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        vec![SignatureScheme::ED25519]
    }
}

/// The minion's TLS configuration around a [`PinVerifier`].
pub fn client_config(verifier: Arc<PinVerifier>) -> Result<Arc<ClientConfig>, DaemonError> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| DaemonError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// DER of an ed25519 SubjectPublicKeyInfo, before the 32 key bytes.
const ED25519_SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// The ed25519 key in a certificate's SubjectPublicKeyInfo, if that is what it holds.
pub fn cert_key(cert: &[u8]) -> Option<VerifyingKey> {
    let (_, certificate, _) = der_tlv(cert)?;
    let (_, mut tbs, _) = der_tlv(certificate)?;
    if tbs.first() == Some(&0xa0) {
        tbs = der_tlv(tbs)?.2;
    }
    for _ in 0..5 {
        tbs = der_tlv(tbs)?.2; // serial, signature, issuer, validity, subject
    }
    let (whole, _, _) = der_tlv(tbs)?;
    let raw = whole.strip_prefix(&ED25519_SPKI_PREFIX[..])?;
    VerifyingKey::from_bytes(raw.try_into().ok()?).ok()
}

/// One DER element at the start of `input`: (the whole element, its content, the rest).
fn der_tlv(input: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let first_len = *input.get(1)?;
    let (len, header) = if first_len < 0x80 {
        (first_len as usize, 2)
    } else {
        let n = (first_len & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = input.get(2..2 + n)?;
        (bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize), 2 + n)
    };
    let end = header.checked_add(len)?;
    let whole = input.get(..end)?;
    Some((whole, &whole[header..], &input[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_carries_the_master_key() {
        let key = SigningKey::from_bytes(&[3u8; 32]);
        let der = key.to_pkcs8_der().unwrap();
        let pkcs8 = PrivatePkcs8KeyDer::from(der.as_bytes().to_vec());
        let pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &rcgen::PKCS_ED25519).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["salt".to_string()]).unwrap().self_signed(&pair).unwrap();
        assert_eq!(cert_key(cert.der()), Some(key.verifying_key()));
        assert!(server_config(&key).is_ok());
    }

    #[test]
    fn der_walker_refuses_garbage() {
        assert!(cert_key(&[]).is_none());
        assert!(cert_key(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(cert_key(&[0x30, 0x02, 0x30, 0x00]).is_none());
    }

    #[test]
    fn pins_are_enforced() {
        let a = SigningKey::from_bytes(&[1u8; 32]).verifying_key();
        let b = SigningKey::from_bytes(&[2u8; 32]).verifying_key();
        assert!(PinVerifier::new(Pin::Key(a)).check_pin(&a).is_ok());
        assert!(PinVerifier::new(Pin::Key(a)).check_pin(&b).is_err());
        let finger = keys::pem_finger(keys::public_pem(&a).as_bytes());
        assert!(PinVerifier::new(Pin::Finger(finger.clone())).check_pin(&a).is_ok());
        assert!(PinVerifier::new(Pin::Finger(finger)).check_pin(&b).is_err());
        assert!(PinVerifier::new(Pin::FirstUse).check_pin(&b).is_ok());
    }
}
