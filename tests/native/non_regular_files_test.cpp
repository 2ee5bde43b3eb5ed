// Paths that name something other than a regular file (a FIFO, a socket, a device, a directory)
// are refused promptly by every entry point that reads a whole file, naming the path and what
// it is. A FIFO used to block the open forever, waiting for a writer.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <future>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "lamina.h"
#include "test_data.h"

namespace {

struct Outcome {
    lm_status status;
    std::string message;
};

// The entry points that take a path to read, each opening `path`.
struct Opener {
    const char *name;
    std::function<lm_status(const char *path)> open;
};

lm_status load_model(const char *path, bool vocab_only) {
    lm_model_params p = lm_model_default_params();
    p.vocab_only = vocab_only;
    lm_model *model = nullptr;
    const lm_status status = lm_model_load(path, p, &model);
    lm_model_free(model);
    return status;
}

const Opener kOpeners[] = {
    {"lm_model_load", [](const char *path) { return load_model(path, false); }},
    {"lm_model_load (vocab_only)", [](const char *path) { return load_model(path, true); }},
    {"lm_file_sha256",
     [](const char *path) {
         char digest[65];
         size_t len = 0;
         return lm_file_sha256(path, digest, sizeof digest, &len);
     }},
    {"lm_model_quantize (input)",
     [](const char *path) {
         lm_quantize_params p = lm_quantize_default_params();
         p.file_type = "Q8_0";
         const std::string out = lamina::testing::temp_path("quantized-from-special");
         const lm_status status = lm_model_quantize(path, out.c_str(), p);
         std::remove(out.c_str());
         return status;
     }},
    {"lm_model_synthesize (vocabulary)",
     [](const char *path) {
         lm_synthesize_params p = lm_synthesize_default_params();
         p.vocab_path = path;
         const std::string out = lamina::testing::temp_path("synthesized-from-special");
         const lm_status status = lm_model_synthesize(out.c_str(), p);
         std::remove(out.c_str());
         return status;
     }},
};

// Runs `opener` on `path` in a thread. A FIFO that blocks the open would hang the suite: after
// the grace period the test fails, and a writer is opened on the FIFO to release the reader.
Outcome open_promptly(const Opener &opener, const std::string &path) {
    std::packaged_task<Outcome()> task([&] {
        const lm_status status = opener.open(path.c_str());
        return Outcome{status, status == LM_OK ? "" : lm_last_error()};
    });
    std::future<Outcome> result = task.get_future();
    std::thread worker(std::move(task));
    if (result.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
        ADD_FAILURE() << opener.name << " on '" << path << "' is still blocked after 20 s";
        const int writer = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0) ::close(writer);
    }
    worker.join();
    return result.get();
}

class NonRegularFiles : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = ::testing::TempDir() + "lamina-special-" + std::to_string(getpid());
        ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0) << dir_;
    }
    void TearDown() override {
        if (socket_ >= 0) ::close(socket_);
        for (const std::string &p : created_) ::unlink(p.c_str());
        ::rmdir(dir_.c_str());
    }
    std::string make_fifo() {
        const std::string path = dir_ + "/model.fifo";
        EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0) << path;
        created_.push_back(path);
        return path;
    }
    std::string make_socket() {
        const std::string path = dir_ + "/model.sock";
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        EXPECT_LT(path.size(), sizeof addr.sun_path) << path;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        socket_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        EXPECT_EQ(::bind(socket_, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0) << path;
        created_.push_back(path);
        return path;
    }
    std::string dir_;
    std::vector<std::string> created_;
    int socket_ = -1;
};

void expect_refused(const Opener &opener, const std::string &path, const std::string &kind) {
    const Outcome o = open_promptly(opener, path);
    EXPECT_EQ(o.status, LM_ERR_IO) << opener.name << ": " << o.message;
    EXPECT_NE(o.message.find("'" + path + "' is " + kind + ", not a regular file"), std::string::npos)
        << opener.name << ": " << o.message;
}

TEST_F(NonRegularFiles, FifoIsRefusedWithoutBlocking) {
    const std::string fifo = make_fifo();
    for (const Opener &opener : kOpeners) expect_refused(opener, fifo, "a FIFO");
}

TEST_F(NonRegularFiles, SocketIsRefused) {
    const std::string socket = make_socket();
    for (const Opener &opener : kOpeners) expect_refused(opener, socket, "a socket");
}

TEST_F(NonRegularFiles, DirectoryIsRefused) {
    for (const Opener &opener : kOpeners) expect_refused(opener, dir_, "a directory");
}

TEST_F(NonRegularFiles, CharacterDeviceIsRefused) {
    for (const Opener &opener : kOpeners) expect_refused(opener, "/dev/null", "a character device");
}

TEST_F(NonRegularFiles, LibraryKeepsWorkingAfterwards) {
    const std::string fifo = make_fifo();
    open_promptly(kOpeners[0], fifo);
    const std::string model = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    ASSERT_FALSE(model.empty());
    EXPECT_EQ(load_model(model.c_str(), false), LM_OK) << lm_last_error();
}

}  // namespace
