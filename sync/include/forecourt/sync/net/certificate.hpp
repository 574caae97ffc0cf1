// The store server's TLS identity: self-signed certificate generation, loading, and
// the SHA-256 fingerprint that tablets pin when they enrol.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "forecourt/platform/result.hpp"

namespace forecourt::sync::net {

// A certificate and its private key, both PEM.
struct TlsIdentity {
    std::string certificate_pem;
    std::string private_key_pem;
};

struct CertificateRequest {
    std::string host_name = "localhost";  // common name; also a subjectAltName
    int validity_days = 3650;
};

struct CertificateInfo {
    std::string fingerprint;  // "SHA256:AB:CD:..."
    std::string common_name;
    std::vector<std::string> alt_names;  // "DNS:localhost", "IP:127.0.0.1", ...
    std::int64_t not_before = 0;         // Unix seconds
    std::int64_t not_after = 0;
};

// A fresh ECDSA P-256 key and a self-signed certificate for it, valid for the host
// name, localhost, 127.0.0.1 and ::1.
Result<TlsIdentity> generate_self_signed(const CertificateRequest& request);

// Writes the certificate (mode 0644) and the key (mode 0600, never readable by
// others, even for a moment).
Status save_tls_identity(const TlsIdentity& identity, const std::string& certificate_path,
                         const std::string& private_key_path);

// Reads both files and checks that the key belongs to the certificate.
Result<TlsIdentity> load_tls_identity(const std::string& certificate_path,
                                      const std::string& private_key_path);

// "SHA256:" then the certificate's DER digest as uppercase hex pairs joined by ':'.
Result<std::string> certificate_fingerprint(std::string_view certificate_pem);

Result<CertificateInfo> inspect_certificate(std::string_view certificate_pem);

// Accepts what a consultant types or scans ("sha256:ab:cd...", "ABCD...", with or
// without separators) and returns the canonical "SHA256:AB:CD:..." form.
Result<std::string> normalize_fingerprint(std::string_view typed);

}  // namespace forecourt::sync::net
