// The tablet commands that look after an encrypted book's keys: passwd, rekey,
// wipe and verify, with the group's --passphrase-file and init's plaintext flag.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

#include "forecourt/core/model/vocabulary.hpp"
#include "tablet/tablet_context.hpp"

namespace forecourt::cli {

// Needs the group's `init` already added: it gains --insecure-plaintext.
void add_vault_commands(CLI::App& tablet, const std::shared_ptr<TabletContext>& context);

}  // namespace forecourt::cli
