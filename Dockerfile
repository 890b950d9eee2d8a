# Baton image, built on a locally imported base (no registry pulls): see docs/operations.md.
#   docker build --build-arg JDK=jdk -t baton:dev .   (after copying a JDK 21+ to ./jdk, e.g. cp -r "$JAVA_HOME" jdk)
FROM baton-base:bookworm
ARG JDK=jdk
COPY ${JDK} /opt/jdk
COPY cli/target/baton.jar /opt/baton/baton.jar
ENV JAVA_HOME=/opt/jdk PATH=/opt/jdk/bin:$PATH
WORKDIR /var/lib/baton
# -XX:+ExitOnOutOfMemoryError: the container exits (code 3) at the first OutOfMemoryError so the restart policy or the
# orchestrator replaces it, instead of it running on with dead threads (the image does not go through ./baton).
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/baton/baton.jar"]
CMD ["--help"]
