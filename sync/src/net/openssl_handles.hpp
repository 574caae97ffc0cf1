// Owning handles for OpenSSL objects, and the few helpers the certificate code and
// the pinned client share.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace forecourt::sync::net::detail {

struct BioFree {
    void operator()(BIO* bio) const { BIO_free_all(bio); }
};
struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The most recent OpenSSL error on this thread (and clears the queue), for messages.
std::string take_openssl_error();

X509Ptr parse_certificate(std::string_view pem);
PkeyPtr parse_private_key(std::string_view pem);

// "SHA256:AB:CD:..." of the certificate's DER encoding.
std::string fingerprint_of(X509* cert);

}  // namespace forecourt::sync::net::detail
