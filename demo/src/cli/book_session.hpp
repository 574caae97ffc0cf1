// Opening a consultant's book from a home directory: the one place the CLI
// turns a home into a Book, so how a book is unlocked is decided here only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "forecourt/core/book.hpp"
#include "forecourt/platform/clock.hpp"
#include "forecourt/platform/key_store.hpp"

namespace forecourt::cli {

// Where a passphrase comes from, in this order: the program itself (the demo),
// a file named on the command line, the environment, a no-echo prompt when
// stdin is a terminal. Anything else is an error saying how to supply one.
struct PassphraseSource {
    std::optional<std::string> given;  // set by the program, never by a user
    std::string file;                  // the passphrase is the file's first line
    const char* env_name = "FORECOURT_PASSPHRASE";
    const char* file_option = "--passphrase-file";
};

enum class BookProtection { encrypted, insecure_plaintext };

struct SessionOptions {
    std::string home;  // the directory holding book.db
    const platform::Clock* clock = &platform::system_clock();
    PassphraseSource passphrase;
    BookProtection protection = BookProtection::encrypted;  // for a book being created
};

// The book's file inside a home directory.
std::string book_file(const std::string& home);

// Opens the existing book in `session.home`; an encrypted one asks for its
// passphrase, a plain one opens without.
Result<std::unique_ptr<Book>> open_book(const SessionOptions& session);

// Creates a new book in `session.home`, creating the directory if needed. An
// encrypted book's passphrase is asked twice on a terminal; a plain one is
// created only when `session.protection` says so, with a warning on stderr.
Result<std::unique_ptr<Book>> create_book(const SessionOptions& session, const NewBook& who);

// Runs `action` with the key store that unlocks the encrypted book in
// `session.home` (invalid_state for a plain book, not_found for no book); a
// wrong_key error it returns names where the passphrase came from.
Status with_book_key(const SessionOptions& session,
                     const std::function<Status(platform::KeyStore&)>& action);

// A key store for a new passphrase taken from `source` (asked twice on a terminal).
Result<std::unique_ptr<platform::KeyStore>> new_key_store(const PassphraseSource& source);

}  // namespace forecourt::cli
