// Home directory → book file → open or created Book.
#include "cli/book_session.hpp"

#include <filesystem>
#include <system_error>

namespace forecourt::cli {
namespace {

namespace fs = std::filesystem;

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

}  // namespace

std::string book_file(const std::string& home) {
    return (fs::path(home) / "book.db").string();
}

Result<std::unique_ptr<Book>> open_book(const SessionOptions& session) {
    FC_TRY(check_home(session));
    std::error_code ec;
    if (!fs::exists(book_file(session.home), ec))
        return make_error(ErrorCode::not_found, "no book in " + session.home +
                                                    "; create one with: forecourt tablet --home " +
                                                    session.home + " init --consultant NAME");
    return Book::open(book_options(session));
}

Result<std::unique_ptr<Book>> create_book(const SessionOptions& session, const NewBook& who) {
    FC_TRY(check_home(session));
    std::error_code ec;
    fs::create_directories(session.home, ec);
    if (ec)
        return make_error(ErrorCode::storage,
                          "cannot create the home directory " + session.home + ": " + ec.message(),
                          ErrorDomain::platform);
    return Book::create(book_options(session), who);
}

}  // namespace forecourt::cli
