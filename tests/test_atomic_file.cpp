#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "thermex/atomic_file.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "thermex_atomic_XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    ASSERT_NE(::mkdtemp(buf.data()), nullptr);
    dir_ = buf.data();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    return names;
  }

  fs::path dir_;
};

TEST_F(AtomicFileTest, CommitCreatesAndReplaces) {
  const auto path = file("out.txt");
  write_file_atomically(path, "first");
  EXPECT_EQ(slurp(path), "first");
  write_file_atomically(path, "second, longer content");
  EXPECT_EQ(slurp(path), "second, longer content");
  EXPECT_EQ(entries(), std::vector<std::string>{"out.txt"});
  const auto perms = fs::status(path).permissions();
  EXPECT_NE(perms & fs::perms::owner_read, fs::perms::none);
  EXPECT_NE(perms & fs::perms::others_read, fs::perms::none);
}

TEST_F(AtomicFileTest, TempFileIsInSameDirectoryAndHidden) {
  const auto path = file("data.h5");
  AtomicFile f(path);
  EXPECT_EQ(fs::path(f.path()).parent_path(), dir_);
  EXPECT_EQ(fs::path(f.path()).filename().string().rfind(".data.h5.tmp.", 0), 0u) << f.path();
  EXPECT_TRUE(fs::exists(f.path()));
  EXPECT_FALSE(fs::exists(path));
  f.stream() << "x";
  f.commit();
  EXPECT_TRUE(f.committed());
  EXPECT_EQ(slurp(path), "x");
  EXPECT_THROW(f.commit(), Error);
}

TEST_F(AtomicFileTest, ExceptionBeforeCommitKeepsOldFileAndLeavesNoTemp) {
  const auto path = file("out.txt");
  write_file_atomically(path, "old");
  try {
    AtomicFile f(path);
    f.stream() << "new half-written";
    f.stream().flush();
    throw std::runtime_error("simulated failure");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slurp(path), "old");
  EXPECT_EQ(entries(), std::vector<std::string>{"out.txt"});
}

TEST_F(AtomicFileTest, WritesThroughPathAreCommitted) {
  const auto path = file("raw.bin");
  AtomicFile f(path);
  {
    std::ofstream other(f.path(), std::ios::binary);  // as HDF5 would: its own descriptor
    other << "via path";
  }
  f.commit();
  EXPECT_EQ(slurp(path), "via path");
}

TEST_F(AtomicFileTest, MoveTransfersOwnership) {
  const auto path = file("moved.txt");
  AtomicFile a(path);
  const std::string temp = a.path();
  AtomicFile b(std::move(a));
  EXPECT_EQ(b.path(), temp);
  b.stream() << "moved";
  b.commit();
  EXPECT_EQ(slurp(path), "moved");
  EXPECT_EQ(entries(), std::vector<std::string>{"moved.txt"});
}

TEST_F(AtomicFileTest, KilledWriterLeavesOldFileIntact) {
  const auto path = file("killed.txt");
  write_file_atomically(path, "intact");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: write half the file, then die without commit and without running destructors.
    AtomicFile f(path);
    f.stream() << "half";
    f.stream().flush();
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(slurp(path), "intact");
  // The dead writer's temporary file stays behind, hidden, and never replaced the output.
  EXPECT_EQ(entries().size(), 2u);
}

TEST_F(AtomicFileTest, MissingDirectoryNamesPathAndReason) {
  const auto path = file("no/such/dir/out.txt");
  try {
    write_file_atomically(path, "x");
    FAIL() << "expected Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace thermex
