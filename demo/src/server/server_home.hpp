// The store server's home directory: its database, its TLS identity and the
// admin token, where `server init` puts them and every server command finds them.
#pragma once

#include <memory>
#include <string>

#include "forecourt/core/store/store_database.hpp"
#include "forecourt/platform/clock.hpp"
#include "forecourt/sync/net/certificate.hpp"

namespace forecourt::cli {

struct ServerHome {
    std::string dir;
    const platform::Clock* clock = &platform::system_clock();

    std::string database_file() const;
    std::string certificate_file() const;
    std::string private_key_file() const;
    std::string admin_token_file() const;
};

// What `server init` made: shown once to the manager.
struct InitializedStore {
    store::StoreIdentity identity;
    std::string fingerprint;
    std::string admin_token;
};

// Creates the store database, a self-signed ECDSA P-256 certificate for
// `host_name` and the admin token; refuses a home that already has a store.
Result<InitializedStore> initialize_store(const ServerHome& home, const std::string& store_name,
                                          const std::string& host_name);

Result<std::unique_ptr<store::StoreDatabase>> open_store(const ServerHome& home);
Result<sync::net::TlsIdentity> load_identity(const ServerHome& home);

// The admin token kept in the home (readable by its owner only).
Result<std::string> read_admin_token(const ServerHome& home);
// Issues a new admin token, replacing the old one in the database and the home.
Result<std::string> rotate_admin_token(const ServerHome& home, store::StoreDatabase& store);

}  // namespace forecourt::cli
