// Creating and opening a store server's home directory.
#include "server/server_home.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace forecourt::cli {
namespace {

namespace fs = std::filesystem;

Error home_error(const std::string& what, const std::error_code& ec) {
    return make_error(ErrorCode::storage, what + ": " + ec.message(), ErrorDomain::platform);
}

store::StoreOptions store_options(const ServerHome& home) {
    store::StoreOptions options;
    options.path = home.database_file();
    options.clock = home.clock;
    return options;
}

// Written with mode 0600 from the start: the token is never readable by others.
Status write_private_file(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return home_error("cannot write " + path, std::error_code(errno, std::generic_category()));
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced)
        return make_error(ErrorCode::storage, "cannot write " + path, ErrorDomain::platform);
    return ok_status();
}

Status save_admin_token(const ServerHome& home, const std::string& token) {
    return write_private_file(home.admin_token_file(), token + "\n");
}

}  // namespace

std::string ServerHome::database_file() const { return (fs::path(dir) / "store.db").string(); }
std::string ServerHome::certificate_file() const { return (fs::path(dir) / "certificate.pem").string(); }
std::string ServerHome::private_key_file() const { return (fs::path(dir) / "private_key.pem").string(); }
std::string ServerHome::admin_token_file() const { return (fs::path(dir) / "admin.token").string(); }

Result<InitializedStore> initialize_store(const ServerHome& home, const std::string& store_name,
                                          const std::string& host_name) {
    std::error_code ec;
    if (fs::exists(home.database_file(), ec))
        return make_error(ErrorCode::already_exists,
                          home.dir + " already has a store database; give another --home");
    fs::create_directories(home.dir, ec);
    if (ec) return home_error("cannot create " + home.dir, ec);
    sync::net::CertificateRequest request;
    request.host_name = host_name;
    FC_ASSIGN(auto identity, sync::net::generate_self_signed(request));
    FC_TRY(sync::net::save_tls_identity(identity, home.certificate_file(), home.private_key_file()));
    FC_ASSIGN(auto fingerprint, sync::net::certificate_fingerprint(identity.certificate_pem));
    FC_ASSIGN(auto store, store::StoreDatabase::create(store_options(home), store_name));
    FC_ASSIGN(auto token, rotate_admin_token(home, *store));
    return InitializedStore{store->identity(), fingerprint, token};
}

Result<std::unique_ptr<store::StoreDatabase>> open_store(const ServerHome& home) {
    if (home.dir.empty())
        return make_error(ErrorCode::invalid_argument, "no server home: pass --home DIR");
    std::error_code ec;
    if (!fs::exists(home.database_file(), ec))
        return make_error(ErrorCode::not_found, "no store in " + home.dir +
                                                    "; create one with: forecourt server init --home " +
                                                    home.dir);
    return store::StoreDatabase::open(store_options(home));
}

Result<sync::net::TlsIdentity> load_identity(const ServerHome& home) {
    return sync::net::load_tls_identity(home.certificate_file(), home.private_key_file());
}

Result<std::string> read_admin_token(const ServerHome& home) {
    std::ifstream in(home.admin_token_file());
    std::string token;
    if (!in || !std::getline(in, token) || token.empty())
        return make_error(ErrorCode::not_found,
                          "no admin token in " + home.dir +
                              "; issue one with: forecourt admin --home " + home.dir + " token --rotate");
    return token;
}

Result<std::string> rotate_admin_token(const ServerHome& home, store::StoreDatabase& store) {
    FC_ASSIGN(auto tx, storage::Transaction::begin(store.db()));
    FC_ASSIGN(auto token, store.issue_admin_token(tx));
    FC_TRY(tx.commit());
    FC_TRY(save_admin_token(home, token));
    return token;
}

}  // namespace forecourt::cli
