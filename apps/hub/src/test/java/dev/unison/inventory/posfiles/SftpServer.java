package dev.unison.inventory.posfiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An in-process SFTP server (Apache MINA SSHD: {@code SshServer} with its SFTP subsystem over a
 * virtual file system rooted in a folder): password authentication, an EC host key of its own, and
 * a fault: the first read of a file whose name contains {@value #DROP_ONCE} past {@link #DROP_AFTER}
 * bytes closes the SSH session, as a connection lost mid-transfer.
 */
final class SftpServer implements AutoCloseable {

    static final String USER = "pos-feed";
    static final String PASSWORD = "pos-feed-secret";
    static final String DROP_ONCE = "drop-once";
    static final long DROP_AFTER = 64 * 1024;

    final Path root;
    final AtomicBoolean dropped = new AtomicBoolean();
    final AtomicInteger sessions = new AtomicInteger();
    private final SshServer sshd;
    private final String hostKey;

    SftpServer(Path root) throws Exception {
        this.root = Files.createDirectories(root);
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(root.resolveSibling(root.getFileName() + "-hostkey.ser"));
        keys.setAlgorithm("EC");
        keys.setKeySize(256);
        sshd.setKeyPairProvider(keys);
        sshd.setPasswordAuthenticator((user, password, session) -> {
            sessions.incrementAndGet();
            return USER.equals(user) && PASSWORD.equals(password);
        });
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        sftp.addSftpEventListener(new SftpEventListener() {
            @Override
            public void read(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                    int dataOffset, int dataLen, int readLen, Throwable thrown) throws IOException {
                if (localHandle.getFile().getFileName().toString().contains(DROP_ONCE) && offset + Math.max(readLen, 0) > DROP_AFTER
                        && dropped.compareAndSet(false, true)) {
                    session.close(true); // the connection is gone, mid-transfer
                }
            }
        });
        sshd.setSubsystemFactories(List.of(sftp));
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(this.root));
        sshd.start();
        KeyPair key = keys.loadKeys(null).iterator().next();
        hostKey = PublicKeyEntry.toString(key.getPublic());
    }

    int port() {
        return sshd.getPort();
    }

    /** The host key as ssh-keyscan prints it after the host: {@code ecdsa-sha2-nistp256 AAAA...}. */
    String hostKey() {
        return hostKey;
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }
}
