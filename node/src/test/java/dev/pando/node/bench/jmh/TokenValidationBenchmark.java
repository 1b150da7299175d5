package dev.pando.node.bench.jmh;

import dev.pando.node.auth.AdminToken;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.auth.NodeAuth;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.auth.Principal;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.cap.CapabilityToken;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the node pays to turn a {@code cap_} token into a principal: {@code uncached} is a first
 * sight (decode, every link's Ed25519 signature, narrowing, trust) through the node's
 * {@link Authenticator} with its cache emptied before each call; {@code cached} is every later
 * request of the same token. {@code links} is the chain length: 1 (a root token) or 3.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx1g")
@State(Scope.Benchmark)
public class TokenValidationBenchmark {
    /** Fully qualified: JMH's {@code Scope} annotation has the name here. */
    private static final List<dev.pando.api.Scope> WRITE_BENCH = List.of(dev.pando.api.Scope.parse("write:/bench/**"));

    @Param({"1", "3"})
    int links;

    private StateStore store;
    private Authenticator auth;
    private Optional<String> token;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        NodeIdentity identity = new NodeIdentity("nbench", Ed25519KeyPair.generate());
        store = StateStore.memory(StoreOptions.defaults(identity.nodeId()));
        NodeConfig config = NodeConfig.defaults().with(NodeConfig.AUTH_MODE, "authenticated")
                .with(NodeConfig.AUTH_VALIDATIONS_PER_SECOND, 0L); // the cost of a validation, not of the flood guard
        auth = NodeAuth.create(config, identity, new AdminToken(AdminToken.PREFIX + "bench", Path.of("unused"), false), store,
                Clock.systemUTC()).authenticator();
        Instant from = Instant.now().minusSeconds(5);
        Instant until = Instant.now().plus(Duration.ofHours(1));
        CapabilityToken t = CapabilityToken.issue(identity.keyPair(), WRITE_BENCH, from, until,
                Optional.empty());
        for (int i = 1; i < links; i++) {
            t = CapabilityToken.delegate(t, Ed25519KeyPair.generate(), WRITE_BENCH, from, until);
        }
        token = Optional.of(t.encode());
        auth.authenticate(token, "127.0.0.1"); // fails here rather than in the measurement if the token is refused
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
    }

    @Benchmark
    public Principal cached() {
        return auth.authenticate(token, "127.0.0.1");
    }

    @Benchmark
    public Principal uncached() {
        auth.invalidate(Authenticator.EVERYONE);
        return auth.authenticate(token, "127.0.0.1");
    }
}
