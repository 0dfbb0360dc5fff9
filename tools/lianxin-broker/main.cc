// lianxin-broker: the embedded Kafka broker for local runs and tests.
//
// Runs librdkafka's mock cluster (rdkafka_mock.h): N brokers that speak the
// Kafka protocol on loopback sockets (or on --listen_address), keep data in memory only and
// auto-create topics on first use. Real clients (the lianxin bus, kcat) connect to it.
//
//   lianxin-broker --brokers=3 --ports=9092,9093,9094 --bootstrap_file=/tmp/bs
//   -> prints "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094" as its first line
//
// Signals: SIGTERM/SIGINT stop it (exit 0); SIGUSR1 takes the brokers down
// (connections closed, new ones refused), SIGUSR2 brings them back up, both
// on every broker or only on --fault_broker.
//
// Fault injection by command (lxchaos): with --control_fifo=PATH it creates a
// FIFO there and obeys one command a line written to it, each on one broker
// id or on "all": "down 2", "up 2", "rtt all 200" (adds 200 ms to every
// response: delayed delivery; "rtt all 0" ends it).
#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "librdkafka/rdkafka.h"
#include "librdkafka/rdkafka_mock.h"
#include "libs/common/log.h"

ABSL_FLAG(int, brokers, 3, "Number of brokers in the cluster.");
ABSL_FLAG(std::string, ports, "",
          "Comma-separated loopback ports, one per broker (e.g. 9092,9093,9094); "
          "empty = ephemeral ports.");
ABSL_FLAG(std::string, listen_address, "127.0.0.1",
          "IPv4 address the brokers listen on and advertise (a host's address in a network "
          "namespace, say); the mock cluster itself knows only loopback.");
ABSL_FLAG(int, partitions, 3, "Partitions of the topics named by --topics.");
ABSL_FLAG(std::string, topics, "",
          "Comma-separated topics to create at start with --partitions partitions. "
          "Other topics are auto-created on first use with the mock's default count.");
ABSL_FLAG(std::string, bootstrap_file, "",
          "If set, the bootstrap address is also written to this file (atomically).");
ABSL_FLAG(int, fault_broker, 0,
          "Broker id (1..N) that SIGUSR1/SIGUSR2 take down/up; 0 = all brokers.");
ABSL_FLAG(std::string, control_fifo, "",
          "If set, a FIFO created at this path takes fault commands, one a line: "
          "\"down <id|all>\", \"up <id|all>\", \"rtt <id|all> <ms>\".");

namespace {

// Ports the next loopback port-0 binds must take, in order. librdkafka 2.0.2's
// mock cluster binds every broker's listener to 127.0.0.1:0 and has no option
// for a port, but a deployment (and a test restarting the broker) needs fixed,
// known addresses. So this executable defines bind() itself: the dynamic linker
// resolves librdkafka's call to ours, which rewrites port 0 to the next wanted
// port and then calls the real bind (libc's, found with RTLD_NEXT). The mock
// sets SO_REUSEADDR before binding, so a restarted broker gets its ports back
// at once, even with connections of the previous process in TIME_WAIT.
absl::Mutex wanted_ports_mu;
std::deque<uint16_t> wanted_ports ABSL_GUARDED_BY(wanted_ports_mu);
// --listen_address, in network order: where the loopback binds go instead
// (and so what the brokers advertise, the mock taking it from getsockname).
in_addr_t listen_address = htonl(INADDR_LOOPBACK);

}  // namespace

extern "C" int bind(int fd, const struct sockaddr* addr, socklen_t len) {
  using BindFn = int (*)(int, const struct sockaddr*, socklen_t);
  static const BindFn real_bind = reinterpret_cast<BindFn>(dlsym(RTLD_NEXT, "bind"));
  if (real_bind == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  if (addr != nullptr && addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    std::memcpy(&in, addr, sizeof(in));
    if (in.sin_port == 0 && ntohl(in.sin_addr.s_addr) == INADDR_LOOPBACK) {
      in.sin_addr.s_addr = listen_address;
      absl::MutexLock lock(&wanted_ports_mu);
      if (!wanted_ports.empty()) {
        in.sin_port = htons(wanted_ports.front());
        wanted_ports.pop_front();
      }
      return real_bind(fd, reinterpret_cast<const sockaddr*>(&in), sizeof(in));
    }
  }
  return real_bind(fd, addr, len);
}

namespace {

using lianxin::LogError;
using lianxin::LogInfo;

// Routes librdkafka's own log lines (the mock cluster's) into our JSON log.
void RdkafkaLog(const rd_kafka_t*, int level, const char* facility, const char* message) {
  // The owner handle never connects; its "no bootstrap.servers" notice is noise.
  if (std::strcmp(facility, "CONFWARN") == 0) return;
  lianxin::Log(level <= 3 ? lianxin::LogLevel::kError
                          : (level == 4 ? lianxin::LogLevel::kWarning : lianxin::LogLevel::kInfo),
               message, {{"facility", facility}});
}

int Fail(const std::string& msg) {
  LogError(msg);
  return 2;
}

bool ParsePorts(const std::string& text, std::vector<uint16_t>* ports) {
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    int port = 0;
    if (!absl::SimpleAtoi(part, &port) || port <= 0 || port > 65535) return false;
    ports->push_back(static_cast<uint16_t>(port));
  }
  return true;
}

// True if a listener could bind 127.0.0.1:port the way the mock does (with
// SO_REUSEADDR, so sockets of a previous run in TIME_WAIT do not count).
bool PortFree(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  in.sin_addr.s_addr = listen_address;
  const bool is_free = bind(fd, reinterpret_cast<const sockaddr*>(&in), sizeof(in)) == 0;
  close(fd);
  return is_free;
}

bool WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << contents << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Takes brokers down (up = false) or up: `broker` 0 means all of them.
void SetBrokersUp(rd_kafka_mock_cluster_t* cluster, int broker_count, int broker, bool up) {
  for (int id = 1; id <= broker_count; ++id) {
    if (broker != 0 && id != broker) continue;
    rd_kafka_resp_err_t err =
        up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      LogError("broker state change failed",
               {{"broker", absl::StrCat(id)}, {"error", rd_kafka_err2str(err)}});
    }
  }
  LogInfo(up ? "brokers up" : "brokers down",
          {{"broker", broker == 0 ? "all" : absl::StrCat(broker)}});
}

// Obeys one control command (see the file comment); logs what it did or why not.
void RunControlCommand(rd_kafka_mock_cluster_t* cluster, int broker_count, absl::string_view line) {
  std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
  if (words.empty()) return;
  int broker = 0;
  const bool all = words.size() >= 2 && words[1] == "all";
  const bool target_ok = all || (words.size() >= 2 && absl::SimpleAtoi(words[1], &broker) &&
                                 broker >= 1 && broker <= broker_count);
  int rtt_ms = 0;
  if (target_ok && words.size() == 2 && (words[0] == "down" || words[0] == "up")) {
    SetBrokersUp(cluster, broker_count, broker, words[0] == "up");
  } else if (target_ok && words.size() == 3 && words[0] == "rtt" &&
             absl::SimpleAtoi(words[2], &rtt_ms) && rtt_ms >= 0) {
    for (int id = 1; id <= broker_count; ++id) {
      if (broker == 0 || id == broker) rd_kafka_mock_broker_set_rtt(cluster, id, rtt_ms);
    }
    LogInfo("broker round-trip time set",
            {{"broker", all ? "all" : words[1]}, {"rtt_ms", absl::StrCat(rtt_ms)}});
  } else {
    LogError("unknown control command", {{"command", std::string(line)}});
  }
}

// The cluster the control FIFO acts on; null once main() starts destroying it.
absl::Mutex control_mu;
rd_kafka_mock_cluster_t* controlled_cluster ABSL_GUARDED_BY(control_mu) = nullptr;

// Reads control commands from the FIFO at `path` until the process ends. The
// FIFO is opened read-write so that it never reports end of file when a writer
// closes it.
void ServeControlFifo(int broker_count, std::string path) {
  int fd = open(path.c_str(), O_RDWR);
  if (fd < 0) {
    LogError("cannot open --control_fifo", {{"path", path}, {"error", std::strerror(errno)}});
    return;
  }
  std::string pending;
  char buffer[512];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    for (size_t end; (end = pending.find('\n')) != std::string::npos;) {
      absl::MutexLock lock(&control_mu);
      if (controlled_cluster == nullptr) break;
      RunControlCommand(controlled_cluster, broker_count,
                        absl::string_view(pending).substr(0, end));
      pending.erase(0, end + 1);
    }
  }
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Embedded Kafka broker (librdkafka mock cluster) for lianxin.");
  absl::ParseCommandLine(argc, argv);
  lianxin::SetLogComponent("lianxin-broker");

  const int broker_count = absl::GetFlag(FLAGS_brokers);
  if (broker_count < 1) return Fail("--brokers must be at least 1");
  std::vector<uint16_t> ports;
  if (!ParsePorts(absl::GetFlag(FLAGS_ports), &ports)) return Fail("--ports: bad port list");
  in_addr address{};
  if (inet_pton(AF_INET, absl::GetFlag(FLAGS_listen_address).c_str(), &address) != 1) {
    return Fail("--listen_address: not an IPv4 address");
  }
  listen_address = address.s_addr;
  if (!ports.empty() && static_cast<int>(ports.size()) != broker_count) {
    return Fail(
        absl::StrCat("--ports names ", ports.size(), " ports for ", broker_count, " brokers"));
  }
  const int fault_broker = absl::GetFlag(FLAGS_fault_broker);
  if (fault_broker < 0 || fault_broker > broker_count) {
    return Fail("--fault_broker must be 0 or a broker id");
  }

  // Block the signals we handle before librdkafka starts threads, so that they
  // all inherit the mask and only sigwait() below receives them.
  sigset_t handled;
  sigemptyset(&handled);
  for (int sig : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&handled, sig);
  pthread_sigmask(SIG_BLOCK, &handled, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // The mock cluster lives inside a client handle; this producer never connects
  // anywhere (no bootstrap.servers), it only owns the cluster.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, RdkafkaLog);
  rd_kafka_conf_set(conf, "client.id", "lianxin-broker", errstr, sizeof(errstr));
  rd_kafka_t* owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (owner == nullptr) return Fail(absl::StrCat("rd_kafka_new: ", errstr));

  // librdkafka aborts when a mock listener cannot bind, so refuse taken ports here.
  for (uint16_t port : ports) {
    if (!PortFree(port)) return Fail(absl::StrCat("port ", port, " is in use"));
  }
  {
    absl::MutexLock lock(&wanted_ports_mu);
    wanted_ports.assign(ports.begin(), ports.end());
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner, broker_count);
  bool ports_taken;
  {
    absl::MutexLock lock(&wanted_ports_mu);
    ports_taken = wanted_ports.empty();
    wanted_ports.clear();
  }
  if (cluster == nullptr) {
    rd_kafka_destroy(owner);
    return Fail(absl::StrCat("could not start the mock cluster (ports ", absl::GetFlag(FLAGS_ports),
                             " in use?)"));
  }
  if (!ports_taken) {
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(owner);
    return Fail("the mock cluster did not bind all of --ports");
  }

  for (absl::string_view topic :
       absl::StrSplit(absl::GetFlag(FLAGS_topics), ',', absl::SkipWhitespace())) {
    std::string name(topic);
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
        cluster, name.c_str(), absl::GetFlag(FLAGS_partitions), std::min(broker_count, 3));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      LogError("topic creation failed", {{"topic", name}, {"error", rd_kafka_err2str(err)}});
    }
  }

  // The file first: whoever reads stdout's line may then read the file too.
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  const std::string bootstrap_file = absl::GetFlag(FLAGS_bootstrap_file);
  if (!bootstrap_file.empty() && !WriteFileAtomically(bootstrap_file, bootstrap)) {
    LogError("could not write --bootstrap_file", {{"path", bootstrap_file}});
  }
  const std::string control_fifo = absl::GetFlag(FLAGS_control_fifo);
  if (!control_fifo.empty()) {
    unlink(control_fifo.c_str());
    if (mkfifo(control_fifo.c_str(), 0600) != 0) {
      rd_kafka_mock_cluster_destroy(cluster);
      rd_kafka_destroy(owner);
      return Fail(
          absl::StrCat("--control_fifo: cannot create ", control_fifo, ": ", std::strerror(errno)));
    }
    {
      absl::MutexLock lock(&control_mu);
      controlled_cluster = cluster;
    }
    // Detached: it blocks in read() until the process exits.
    std::thread(ServeControlFifo, broker_count, control_fifo).detach();
  }
  std::printf("%s\n", bootstrap.c_str());
  std::fflush(stdout);
  LogInfo("broker started", {{"bootstrap", bootstrap}, {"brokers", absl::StrCat(broker_count)}});

  for (;;) {
    int sig = 0;
    if (sigwait(&handled, &sig) != 0) continue;
    if (sig == SIGUSR1) {
      SetBrokersUp(cluster, broker_count, fault_broker, false);
    } else if (sig == SIGUSR2) {
      SetBrokersUp(cluster, broker_count, fault_broker, true);
    } else {
      break;
    }
  }

  LogInfo("broker stopping");
  if (!control_fifo.empty()) unlink(control_fifo.c_str());
  {
    absl::MutexLock lock(&control_mu);
    controlled_cluster = nullptr;
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(owner);
  return 0;
}
