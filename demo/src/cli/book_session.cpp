// Home directory → book file → open or created Book, and where an encrypted
// book's passphrase comes from (program, file, environment or terminal).
#include "cli/book_session.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include <termios.h>
#include <unistd.h>

#include "forecourt/core/crypto/book_vault.hpp"

namespace forecourt::cli {
namespace {

namespace fs = std::filesystem;

enum class Ask { once, twice };

BookOptions book_options(const SessionOptions& session) {
    BookOptions options;
    options.path = book_file(session.home);
    options.clock = session.clock;
    return options;
}

Status check_home(const SessionOptions& session) {
    if (session.home.empty())
        return make_error(ErrorCode::invalid_argument,
                          "no home directory: pass --home DIR or set FORECOURT_HOME");
    return ok_status();
}

Status check_book_exists(const SessionOptions& session) {
    std::error_code ec;
    if (!fs::exists(book_file(session.home), ec))
        return make_error(ErrorCode::not_found, "no book in " + session.home +
                                                    "; create one with: forecourt tablet --home " +
                                                    session.home + " init --consultant NAME");
    return ok_status();
}

// Overwrites a passphrase's bytes before its string is freed.
void forget(std::string& secret) {
    volatile char* bytes = secret.data();
    for (std::size_t i = 0; i < secret.size(); ++i) bytes[i] = 0;
    secret.clear();
}

Result<std::string> non_empty(std::string passphrase, const std::string& where) {
    if (passphrase.empty())
        return make_error(ErrorCode::invalid_argument, "the passphrase " + where + " is empty");
    return passphrase;
}

Result<std::string> read_passphrase_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line))
        return make_error(ErrorCode::invalid_argument, "cannot read the passphrase file " + path);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return non_empty(std::move(line), "in " + path);
}

// Reads one line from the terminal with echo turned off, so the passphrase
// never shows on screen (or in a screen recording of the demo).
Result<std::string> prompt_quietly(const std::string& prompt) {
    termios normal{};
    if (tcgetattr(STDIN_FILENO, &normal) != 0)
        return make_error(ErrorCode::invalid_argument, "cannot turn off echo on this terminal");
    termios quiet = normal;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    std::cerr << prompt << std::flush;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::string line;
    const bool typed = static_cast<bool>(std::getline(std::cin, line));
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &normal);
    std::cerr << '\n';
    if (!typed) return make_error(ErrorCode::invalid_argument, "no passphrase was typed");
    return non_empty(std::move(line), "typed");
}

Result<std::string> prompt_passphrase(const std::string& prompt, Ask ask) {
    FC_ASSIGN(auto first, prompt_quietly(prompt + ": "));
    if (ask == Ask::once) return first;
    FC_ASSIGN(auto second, prompt_quietly("Type it again: "));
    const bool same = first == second;
    forget(second);
    if (!same) {
        forget(first);
        return make_error(ErrorCode::invalid_argument, "the two passphrases typed differ");
    }
    return first;
}

// `missing` says what is wanted, for the error when there is no way to get it.
Result<std::string> read_passphrase(const PassphraseSource& source, Ask ask,
                                    const std::string& prompt, const std::string& missing) {
    if (source.given) return *source.given;
    if (!source.file.empty()) return read_passphrase_file(source.file);
    if (const char* env = std::getenv(source.env_name); env != nullptr)
        return non_empty(env, std::string("in ") + source.env_name);
    if (isatty(STDIN_FILENO) == 0)
        return make_error(ErrorCode::invalid_argument,
                          missing + ": set " + source.env_name + ", or pass " +
                              source.file_option + " FILE (stdin is not a terminal to ask on)");
    return prompt_passphrase(prompt, ask);
}

std::string where_from(const PassphraseSource& source) {
    if (source.given) return "the demo's passphrase";
    if (!source.file.empty()) return "the passphrase in " + source.file;
    if (std::getenv(source.env_name) != nullptr)
        return std::string("the passphrase in ") + source.env_name;
    return "the passphrase typed";
}

// Names the passphrase's source in a wrong-key message, so a script's author
// sees at once which variable or file held the wrong one.
Error explain(Error error, const SessionOptions& session) {
    if (error.code == ErrorCode::wrong_key)
        error.message += " (" + where_from(session.passphrase) + ", book in " + session.home + ")";
    return error;
}

Result<std::unique_ptr<platform::KeyStore>> key_store_for(std::string passphrase) {
    std::unique_ptr<platform::KeyStore> keys =
        std::make_unique<platform::PassphraseKeyStore>(passphrase);
    forget(passphrase);
    return keys;
}

Result<std::unique_ptr<platform::KeyStore>> book_key_store(const SessionOptions& session) {
    FC_TRY(check_home(session));
    FC_TRY(check_book_exists(session));
    if (!crypto::is_encrypted_book(book_file(session.home)))
        return make_error(ErrorCode::invalid_state,
                          "the book in " + session.home + " is not encrypted (a plain book)");
    FC_ASSIGN(auto passphrase,
              read_passphrase(session.passphrase, Ask::once,
                              "Passphrase of the book in " + session.home,
                              "the book in " + session.home + " is encrypted and no passphrase "
                                                              "was given"));
    return key_store_for(std::move(passphrase));
}

}  // namespace

std::string book_file(const std::string& home) {
    return (fs::path(home) / "book.db").string();
}

Result<std::unique_ptr<platform::KeyStore>> new_key_store(const PassphraseSource& source) {
    FC_ASSIGN(auto passphrase, read_passphrase(source, Ask::twice, "New passphrase for the book",
                                               "no new passphrase was given"));
    return key_store_for(std::move(passphrase));
}

Result<std::unique_ptr<Book>> open_book(const SessionOptions& session) {
    FC_TRY(check_home(session));
    FC_TRY(check_book_exists(session));
    const BookOptions options = book_options(session);
    if (!crypto::is_encrypted_book(options.path)) return Book::open(options);
    FC_ASSIGN(auto keys, book_key_store(session));
    auto book = crypto::open_encrypted_book(options, *keys);
    if (!book.ok()) return explain(book.take_error(), session);
    return book;
}

Status with_book_key(const SessionOptions& session,
                     const std::function<Status(platform::KeyStore&)>& action) {
    FC_ASSIGN(auto keys, book_key_store(session));
    Status done = action(*keys);
    if (!done.ok()) return explain(done.take_error(), session);
    return done;
}

Result<std::unique_ptr<Book>> create_book(const SessionOptions& session, const NewBook& who) {
    FC_TRY(check_home(session));
    std::error_code ec;
    // Refused before the passphrase is asked for, which would be typed in vain.
    if (fs::exists(book_file(session.home), ec))
        return make_error(ErrorCode::already_exists,
                          "a book already exists in " + session.home);
    std::unique_ptr<platform::KeyStore> keys;
    if (session.protection == BookProtection::encrypted) {
        FC_ASSIGN(keys, new_key_store(session.passphrase));
    }
    fs::create_directories(session.home, ec);
    if (ec)
        return make_error(ErrorCode::storage,
                          "cannot create the home directory " + session.home + ": " + ec.message(),
                          ErrorDomain::platform);
    if (!keys) {
        std::cerr << "forecourt: warning: the book in " << session.home
                  << " is NOT encrypted (--insecure-plaintext): anyone who copies book.db can read "
                     "it; use it for debugging only\n";
        return Book::create(book_options(session), who);
    }
    return crypto::create_encrypted_book(book_options(session), *keys, who);
}

}  // namespace forecourt::cli
