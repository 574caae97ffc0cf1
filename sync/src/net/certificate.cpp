// Generating, saving and loading the store server's self-signed TLS identity.
#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "forecourt/platform/random.hpp"
#include "forecourt/sync/net/certificate.hpp"
#include "openssl_handles.hpp"

namespace forecourt::sync::net {
namespace {

using detail::take_openssl_error;

Error crypto_error(std::string what) {
    return make_error(ErrorCode::internal, what + ": " + take_openssl_error(), ErrorDomain::crypto);
}

bool is_ip_literal(const std::string& text) {
    unsigned char buffer[16];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// Host names go into an OpenSSL config string, so only plain DNS characters pass.
bool is_plain_host_name(const std::string& text) {
    if (text.empty() || text.size() > 253) return false;
    for (char c : text) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::string alt_names_for(const std::string& host) {
    std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
    if (host == "localhost" || host == "127.0.0.1" || host == "::1") return names;
    return names + (is_ip_literal(host) ? ",IP:" : ",DNS:") + host;
}

bool add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    if (!extension) return false;
    bool added = X509_add_ext(cert, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

bool set_random_serial(X509* cert) {
    unsigned char bytes[16];
    platform::random_bytes(bytes, sizeof bytes);
    bytes[0] &= 0x7F;  // serials are positive
    BIGNUM* serial = BN_bin2bn(bytes, sizeof bytes, nullptr);
    bool ok = serial && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) != nullptr;
    BN_free(serial);
    return ok;
}

bool set_names_and_validity(X509* cert, const CertificateRequest& request) {
    X509_NAME* name = X509_get_subject_name(cert);
    auto add = [&](const char* field, const std::string& value) {
        return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                          -1, 0) == 1;
    };
    // An hour of slack lets tablets whose clocks run a little behind connect at once.
    return add("O", "Forecourt store server") && add("CN", request.host_name) &&
           X509_set_issuer_name(cert, name) == 1 &&
           X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
           X509_time_adj_ex(X509_getm_notAfter(cert), request.validity_days, 0, nullptr) != nullptr;
}

bool add_server_extensions(X509* cert, const CertificateRequest& request) {
    return add_extension(cert, NID_basic_constraints, "critical,CA:FALSE") &&
           add_extension(cert, NID_key_usage, "critical,digitalSignature") &&
           add_extension(cert, NID_ext_key_usage, "serverAuth") &&
           add_extension(cert, NID_subject_key_identifier, "hash") &&
           add_extension(cert, NID_subject_alt_name, alt_names_for(request.host_name));
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(length));
}

Result<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(ErrorCode::not_found, "cannot read " + path, ErrorDomain::platform);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Writes through a temporary file created with the final mode, then renames, so
// the file is never visible half-written or with looser permissions.
Status write_file(const std::string& path, const std::string& content, mode_t mode) {
    std::string temporary = path + ".tmp";
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    bool ok = fd >= 0 && ::fchmod(fd, mode) == 0;
    for (std::size_t done = 0; ok && done < content.size();) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    int saved_errno = errno;
    if (fd >= 0) ::close(fd);
    if (ok && ::rename(temporary.c_str(), path.c_str()) == 0) return ok_status();
    saved_errno = ok ? errno : saved_errno;
    ::unlink(temporary.c_str());
    return make_error(ErrorCode::storage,
                      "cannot write " + path + ": " + std::strerror(saved_errno),
                      ErrorDomain::platform);
}

}  // namespace

Result<TlsIdentity> generate_self_signed(const CertificateRequest& request) {
    if (!is_plain_host_name(request.host_name) && !is_ip_literal(request.host_name)) {
        return make_error(
            ErrorCode::invalid_argument,
            "host name must be a DNS name or an IP address (got '" + request.host_name + "')",
            ErrorDomain::crypto);
    }
    if (request.validity_days < 1) {
        return make_error(ErrorCode::invalid_argument, "validity must be at least one day",
                          ErrorDomain::crypto);
    }
    detail::PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return crypto_error("cannot generate a P-256 key");
    detail::X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        !set_random_serial(cert.get()) || X509_set_pubkey(cert.get(), key.get()) != 1 ||
        !set_names_and_validity(cert.get(), request) ||
        !add_server_extensions(cert.get(), request)) {
        return crypto_error("cannot build the certificate");
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        return crypto_error("cannot sign the certificate");
    }
    detail::BioPtr cert_out(BIO_new(BIO_s_mem()));
    detail::BioPtr key_out(BIO_new(BIO_s_mem()));
    if (!cert_out || !key_out || PEM_write_bio_X509(cert_out.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1) {
        return crypto_error("cannot encode the certificate as PEM");
    }
    return TlsIdentity{bio_text(cert_out.get()), bio_text(key_out.get())};
}

Status save_tls_identity(const TlsIdentity& identity, const std::string& certificate_path,
                         const std::string& private_key_path) {
    FC_TRY(write_file(private_key_path, identity.private_key_pem, 0600));
    return write_file(certificate_path, identity.certificate_pem, 0644);
}

Result<TlsIdentity> load_tls_identity(const std::string& certificate_path,
                                      const std::string& private_key_path) {
    FC_ASSIGN(std::string certificate_pem, read_text_file(certificate_path));
    FC_ASSIGN(std::string private_key_pem, read_text_file(private_key_path));
    detail::X509Ptr cert = detail::parse_certificate(certificate_pem);
    if (!cert) {
        return make_error(ErrorCode::corrupt, certificate_path + " is not a PEM certificate",
                          ErrorDomain::crypto);
    }
    detail::PkeyPtr key = detail::parse_private_key(private_key_pem);
    if (!key) {
        return make_error(ErrorCode::corrupt, private_key_path + " is not a PEM private key",
                          ErrorDomain::crypto);
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        detail::take_openssl_error();
        return make_error(ErrorCode::invalid_argument,
                          private_key_path + " is not the key of " + certificate_path,
                          ErrorDomain::crypto);
    }
    return TlsIdentity{std::move(certificate_pem), std::move(private_key_pem)};
}

}  // namespace forecourt::sync::net
