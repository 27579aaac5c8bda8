import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts DynamoDB Local on one address only.
 *
 * DynamoDBLocal.jar has no host option and always listens on every interface; the
 * local cloud must bind to 127.0.0.1. This mounts DynamoDB Local's own request
 * handler on a Jetty connector bound to the given host, so the behaviour is AWS's
 * own emulator, unchanged. Arguments: host port (dbPath | -inMemory).
 */
public final class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: LoopbackDynamoDBLocal <host> <port> <dbPath|-inMemory>");
      System.exit(2);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    boolean inMemory = args[2].equals("-inMemory");
    LocalDynamoDBRequestHandler requests =
        new LocalDynamoDBRequestHandler(0, inMemory, inMemory ? null : args[2], true, false);
    LocalDynamoDBServerHandler handler = new LocalDynamoDBServerHandler(requests, "*");
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new DynamoDBProxyServer(port, handler).setUpHandler(handler));
    server.start();
    System.out.println("DynamoDB Local listening on " + host + ":" + port);
    server.join();
  }
}
