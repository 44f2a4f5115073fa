# syntax=docker/dockerfile:1
# One image recipe for both CloudSentinel hosts; the build argument PROJECT picks which
# (docker-compose.yml passes the arguments for each service):
#   docker build --build-arg PROJECT=Silo --build-arg PORTS="11111 30000" .
#   docker build --build-arg PROJECT=Gateway --build-arg PORTS=3030 --build-arg HTTP_PORTS=3030 .
# The context is the root because the projects reference their sibling projects and the central
# Directory.*.props and global.json.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Silo or Gateway: the folder under src/ and the CloudSentinel.<PROJECT> assembly.
ARG PROJECT
WORKDIR /repo
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
# Host obj/ folders hold restore results with host paths; restore afresh inside the image.
RUN rm -rf src/*/obj src/*/bin
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    test -f "src/${PROJECT}/CloudSentinel.${PROJECT}.csproj" \
      || { echo "build with --build-arg PROJECT=Silo or --build-arg PROJECT=Gateway (got '${PROJECT}')" >&2; exit 1; }; \
    dotnet publish "src/${PROJECT}/CloudSentinel.${PROJECT}.csproj" -c Release -o /app -p:UseAppHost=false
# ENTRYPOINT's exec form expands no variables, so a launcher names the host's assembly; exec
# makes dotnet the container's main process, as 'ENTRYPOINT ["dotnet", ...]' did.
RUN printf '#!/bin/sh\nexec dotnet /app/CloudSentinel.%s.dll "$@"\n' "${PROJECT}" > /app/cloudsentinel && chmod 755 /app/cloudsentinel

# The ASP.NET runtime image (a superset of the plain runtime) so health endpoints need no rebuild.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
# The ports the host listens on (ARCHITECTURE.md, "Hosts and ports"): the silo's Orleans
# silo-to-silo and client gateway ports "11111 30000", the gateway's HTTP port 3030.
ARG PORTS
# Kestrel's port; 8080 is the base image's own default, which the silo keeps.
ARG HTTP_PORTS=8080
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=${HTTP_PORTS}
# glibc's malloc keeps up to eight arenas per core, each holding freed native memory (the JIT's, the
# runtime's) resident; two keep the silo's RSS ~10 MB lower and flat (docs/durability.md, "Memory").
ENV MALLOC_ARENA_MAX=2
EXPOSE ${PORTS}
# Non-root user that the .NET images provide.
USER $APP_UID
ENTRYPOINT ["/app/cloudsentinel"]
