package io.scoring.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * The demo the jar carries: the credit-risk model repository and the applicants' feature snapshot,
 * under {@code demo/} on the classpath. Read in place, from the jar or from a build's classes folder.
 */
public final class DemoBundle
{
    static final String MODELS = "demo/models";
    static final String FEATURES = "demo/features/applicants.snapshot";

    private DemoBundle()
    {
    }

    /** The bundled model repository as a path, inside the jar's file system when run from the jar. */
    public static Path models() throws IOException
    {
        final URL url = DemoBundle.class.getClassLoader().getResource(MODELS);
        if (null == url)
        {
            throw new IOException("the demo models are not on the classpath (" + MODELS + ")");
        }
        try
        {
            final URI uri = url.toURI();
            if ("jar".equals(uri.getScheme()))
            {
                FileSystem jar;
                try
                {
                    jar = FileSystems.newFileSystem(uri, Map.of());
                }
                catch (final FileSystemAlreadyExistsException ex)
                {
                    jar = FileSystems.getFileSystem(uri);
                }
                return jar.getPath(MODELS);
            }
            return Path.of(uri);
        }
        catch (final URISyntaxException ex)
        {
            throw new IOException("bad demo location " + url, ex);
        }
    }

    public static InputStream features() throws IOException
    {
        final InputStream in = DemoBundle.class.getClassLoader().getResourceAsStream(FEATURES);
        if (null == in)
        {
            throw new IOException("the demo feature snapshot is not on the classpath (" + FEATURES + ")");
        }
        return in;
    }
}
