// The store's TLS identity: generation, files, fingerprints as consultants pin them.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <doctest/doctest.h>
#include <algorithm>
#include <regex>

#include "forecourt/sync/net/certificate.hpp"
#include "net_fixture.hpp"
#include "temp_dir.hpp"

namespace forecourt::sync::net {
namespace {

bool has(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string curve_of(const std::string& private_key_pem) {
    BIO* bio = BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    char name[64] = {};
    std::size_t length = 0;
    if (key) EVP_PKEY_get_group_name(key, name, sizeof name, &length);
    EVP_PKEY_free(key);
    return name;
}

}  // namespace

TEST_CASE("certificate: a generated identity is P-256, names the store and lasts ten years") {
    CertificateRequest request;
    request.host_name = "store.dealer.example";
    auto identity = generate_self_signed(request);
    REQUIRE(identity.ok());
    CHECK(curve_of(identity->private_key_pem) == "prime256v1");

    auto info = inspect_certificate(identity->certificate_pem);
    REQUIRE(info.ok());
    CHECK(info->common_name == "store.dealer.example");
    CHECK(has(info->alt_names, "DNS:store.dealer.example"));
    CHECK(has(info->alt_names, "DNS:localhost"));
    CHECK(has(info->alt_names, "IP:127.0.0.1"));
    CHECK(has(info->alt_names, "IP:::1"));
    const std::int64_t days = (info->not_after - info->not_before) / 86400;
    CHECK(days == 3650);
}

TEST_CASE("certificate: an IP address as host name becomes an IP subjectAltName") {
    CertificateRequest request;
    request.host_name = "192.168.1.20";
    auto identity = generate_self_signed(request);
    REQUIRE(identity.ok());
    auto info = inspect_certificate(identity->certificate_pem);
    REQUIRE(info.ok());
    CHECK(has(info->alt_names, "IP:192.168.1.20"));
}

TEST_CASE("certificate: a host name that is neither DNS name nor IP is refused") {
    CertificateRequest request;
    request.host_name = "store,IP:10.0.0.1";
    auto identity = generate_self_signed(request);
    REQUIRE_FALSE(identity.ok());
    CHECK(identity.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("certificate: the fingerprint is SHA256 and uppercase hex pairs, the same every time") {
    const std::string& pem = testing::test_identity().certificate_pem;
    auto first = certificate_fingerprint(pem);
    auto second = certificate_fingerprint(pem);
    REQUIRE(first.ok());
    CHECK(std::regex_match(*first, std::regex("SHA256(:[0-9A-F]{2}){32}")));
    CHECK(*first == *second);
    CHECK(inspect_certificate(pem)->fingerprint == *first);

    auto other = generate_self_signed({});
    REQUIRE(other.ok());
    CHECK(*certificate_fingerprint(other->certificate_pem) != *first);
}

TEST_CASE("certificate: the key file is private to its owner and the pair loads back") {
    forecourt::testing::TempDir dir;
    const auto cert_path = dir.file("store.crt");
    const auto key_path = dir.file("store.key");
    REQUIRE(save_tls_identity(testing::test_identity(), cert_path, key_path).ok());

    struct stat key_stat {};
    REQUIRE(::stat(key_path.c_str(), &key_stat) == 0);
    CHECK((key_stat.st_mode & 0777) == 0600);

    auto loaded = load_tls_identity(cert_path, key_path);
    REQUIRE(loaded.ok());
    CHECK(*certificate_fingerprint(loaded->certificate_pem) == testing::test_fingerprint());
}

TEST_CASE("certificate: a key that belongs to another certificate is refused on load") {
    forecourt::testing::TempDir dir;
    auto other = generate_self_signed({});
    REQUIRE(other.ok());
    TlsIdentity mixed{testing::test_identity().certificate_pem, other->private_key_pem};
    REQUIRE(save_tls_identity(mixed, dir.file("a.crt"), dir.file("b.key")).ok());

    auto loaded = load_tls_identity(dir.file("a.crt"), dir.file("b.key"));
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().message.find("is not the key of") != std::string::npos);
}

TEST_CASE("certificate: a missing file is reported with its path") {
    forecourt::testing::TempDir dir;
    auto loaded = load_tls_identity(dir.file("none.crt"), dir.file("none.key"));
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == ErrorCode::not_found);
    CHECK(loaded.error().message.find("none.crt") != std::string::npos);
}

TEST_CASE("certificate: fingerprints typed or scanned in any common form are normalised") {
    const std::string& canonical = testing::test_fingerprint();
    std::string bare;
    for (char c : canonical.substr(7)) {
        if (c != ':') bare += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    CHECK(*normalize_fingerprint(bare) == canonical);
    CHECK(*normalize_fingerprint("sha256:" + bare) == canonical);
    CHECK(*normalize_fingerprint("  " + canonical) == canonical);

    auto short_one = normalize_fingerprint("SHA256:AB:CD");
    REQUIRE_FALSE(short_one.ok());
    CHECK(short_one.error().code == ErrorCode::invalid_argument);
    CHECK_FALSE(normalize_fingerprint(bare.substr(2) + "zz").ok());
}

}  // namespace forecourt::sync::net
