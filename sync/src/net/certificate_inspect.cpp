// Reading certificates: parsing PEM, fingerprints in the form consultants pin, and
// the details an administrator checks (names, validity).
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <ctime>

#include "forecourt/sync/net/certificate.hpp"
#include "openssl_handles.hpp"

namespace forecourt::sync::net {
namespace detail {

std::string take_openssl_error() {
    unsigned long code = ERR_get_error();
    std::string text = "unknown OpenSSL error";
    if (code != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text = buffer;
    }
    ERR_clear_error();
    return text;
}

static BioPtr memory_bio(std::string_view text) {
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

X509Ptr parse_certificate(std::string_view pem) {
    BioPtr bio = memory_bio(pem);
    if (!bio) return nullptr;
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr parse_private_key(std::string_view pem) {
    BioPtr bio = memory_bio(pem);
    if (!bio) return nullptr;
    return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string fingerprint_of(X509* cert) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(cert, EVP_sha256(), digest, &length) != 1) return {};
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "SHA256";
    for (unsigned int i = 0; i < length; ++i) {
        out += ':';
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xF];
    }
    return out;
}

}  // namespace detail

namespace {

Error certificate_error(std::string message) {
    return make_error(ErrorCode::invalid_argument, std::move(message), ErrorDomain::crypto);
}

std::string common_name_of(X509* cert) {
    X509_NAME* name = X509_get_subject_name(cert);
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) return {};
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return out;
}

std::string ip_text(const ASN1_OCTET_STRING* address) {
    char text[INET6_ADDRSTRLEN] = {};
    int family = address->length == 4 ? AF_INET : address->length == 16 ? AF_INET6 : -1;
    if (family < 0 || !inet_ntop(family, address->data, text, sizeof text)) return "?";
    return text;
}

std::vector<std::string> alt_names_of(X509* cert) {
    std::vector<std::string> out;
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) {
            const ASN1_IA5STRING* dns = name->d.dNSName;
            out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(dns->data),
                                               static_cast<std::size_t>(dns->length)));
        } else if (name->type == GEN_IPADD) {
            out.push_back("IP:" + ip_text(name->d.iPAddress));
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

std::int64_t unix_seconds(const ASN1_TIME* time) {
    std::tm parts{};
    if (ASN1_TIME_to_tm(time, &parts) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&parts));
}

}  // namespace

Result<std::string> certificate_fingerprint(std::string_view certificate_pem) {
    detail::X509Ptr cert = detail::parse_certificate(certificate_pem);
    if (!cert) {
        return certificate_error("not a PEM certificate: " + detail::take_openssl_error());
    }
    return detail::fingerprint_of(cert.get());
}

Result<CertificateInfo> inspect_certificate(std::string_view certificate_pem) {
    detail::X509Ptr cert = detail::parse_certificate(certificate_pem);
    if (!cert) {
        return certificate_error("not a PEM certificate: " + detail::take_openssl_error());
    }
    CertificateInfo info;
    info.fingerprint = detail::fingerprint_of(cert.get());
    info.common_name = common_name_of(cert.get());
    info.alt_names = alt_names_of(cert.get());
    info.not_before = unix_seconds(X509_get0_notBefore(cert.get()));
    info.not_after = unix_seconds(X509_get0_notAfter(cert.get()));
    return info;
}

Result<std::string> normalize_fingerprint(std::string_view typed) {
    std::string_view rest = typed;
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) {
        rest.remove_prefix(1);
    }
    if (rest.size() >= 6) {
        std::string prefix(rest.substr(0, 6));
        for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (prefix == "SHA256") rest.remove_prefix(6);
    }
    std::string hex;
    for (char c : rest) {
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        } else if (c != ':' && c != ' ' && c != '-') {
            return certificate_error("a fingerprint has only hex digits and ':' (got '" +
                                     std::string(typed) + "')");
        }
    }
    if (hex.size() != 64) {
        return certificate_error("a SHA-256 fingerprint has 32 bytes (64 hex digits); got " +
                                 std::to_string(hex.size()) + " digits");
    }
    std::string out = "SHA256";
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        out += ':';
        out += hex.substr(i, 2);
    }
    return out;
}

}  // namespace forecourt::sync::net
