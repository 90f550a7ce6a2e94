# syntax=docker/dockerfile:1
# Quiver gateway image. Build from the repository root after `./mvnw -B install -DskipTests`:
#   docker build -f docker/gateway.Dockerfile -t quiver-gateway:0.1.0 .
# Needs nothing but the base image registry: the jar is built outside, the probe is compiled here.
ARG JAVA_VERSION=25

FROM eclipse-temurin:${JAVA_VERSION}-jdk AS build
COPY docker/HttpProbe.java /src/HttpProbe.java
RUN javac -d /out/probe /src/HttpProbe.java
COPY gateway/target/quiver-gateway-*-exec.jar /src/app.jar
# Spring Boot's layered extraction: dependencies change rarely, the application often, so pushes stay small.
RUN java -Djarmode=tools -jar /src/app.jar extract --layers --launcher --destination /out/app

FROM eclipse-temurin:${JAVA_VERSION}-jre
RUN groupadd --system --gid 10001 quiver \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin quiver
WORKDIR /opt/quiver
COPY --from=build /out/app/dependencies/ ./
COPY --from=build /out/app/spring-boot-loader/ ./
COPY --from=build /out/app/snapshot-dependencies/ ./
COPY --from=build /out/app/application/ ./
COPY --from=build /out/probe/ /opt/quiver/probe/
# Read-only root file system: everything the JVM writes goes to /tmp (an emptyDir in Kubernetes).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-cp", "/opt/quiver/probe", "HttpProbe", "http://127.0.0.1:8080/actuator/health/liveness"]
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
