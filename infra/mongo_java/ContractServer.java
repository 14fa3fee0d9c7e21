// The contract tests' second MongoDB-wire server: mongo-java-server's in-memory backend on a
// loopback port (0 = any free one). It announces MongoDB 5.0 with 5.0's wire version (13): the
// library's own MONGO_5_0 constant says wire 8, which pymongo >= 4.14 refuses (it needs >= 9).
//
//   java -cp '<cache>/jars/mongo-java-server-<v>/*:<classes>' ContractServer 127.0.0.1 0
//
// Prints one line, `listening <host>:<port>`, once it accepts connections; stops on SIGTERM or
// when its standard input closes (so a killed test run never leaves it behind).
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.util.List;

public final class ContractServer {
    private static final MongoVersion MONGO_5_0 =
            new MongoVersion() {
                @Override
                public List<Integer> getVersionArray() {
                    return List.of(5, 0, 0);
                }

                @Override
                public int getWireVersion() {
                    return 13;
                }
            };

    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        MongoServer server = new MongoServer(new MemoryBackend().version(MONGO_5_0));
        server.bind(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        InetSocketAddress address = server.getLocalAddress();
        System.out.println("listening " + address.getHostString() + ":" + address.getPort());
        System.out.flush();
        while (System.in.read() != -1) {
            // the parent holds our stdin open while it needs us
        }
        System.exit(0);
    }
}
