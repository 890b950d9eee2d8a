# Baton image, built on a locally imported Debian base (no registry pulls). Do not run `docker build` on the repository
# root: deploy/build-image.sh makes the base image (debootstrap + docker import) when it is missing, stages a JDK 21+
# and cli/target/baton.jar in target/docker-context, and builds this file there (docs/operations.md#containers).
FROM baton-base:bookworm
COPY jdk /opt/jdk
COPY baton.jar /opt/baton/baton.jar
# The healthcheck of docker-compose.yml: `baton-health PORT` exits 0 when http://127.0.0.1:PORT/health answers 200.
COPY baton-health /usr/local/bin/baton-health
ENV JAVA_HOME=/opt/jdk PATH=/opt/jdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /var/lib/baton
# -XX:+ExitOnOutOfMemoryError: the container exits (code 3) at the first OutOfMemoryError so the restart policy or the
# orchestrator replaces it, instead of it running on with dead threads (the image does not go through ./baton).
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/baton/baton.jar"]
CMD ["--help"]
