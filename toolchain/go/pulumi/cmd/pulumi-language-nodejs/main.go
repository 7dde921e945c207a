// Command pulumi-language-nodejs is the project's Node.js language host for the Pulumi engine.
//
// Why our own: the upstream host is its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the Go module proxy that these
// machines reach does not serve it at any version. The engine talks to a language host over one small
// gRPC service (pulumirpc.LanguageRuntime, from the sdk/v3 module that *is* served), and the real work
// of running a program lives in the npm package @pulumi/pulumi (its cmd/run entry point). This host
// implements that service: it reports the resource plugins that node_modules asks for and launches
// `node @pulumi/pulumi/cmd/run` with the monitor address, config and options, exactly as upstream does.
// Methods the engine can do without (codegen, packing, templates) answer Unimplemented, which the engine
// handles as "older host".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// exitCodeUserActionable is what @pulumi/pulumi's runner exits with after it has already shown the user
// an actionable message; the engine should then stop without adding its own.
const exitCodeUserActionable = 32

func main() {
	// The engine passes its own address as the last positional argument; flags before it are optional.
	args := os.Args[1:]
	engineAddress := ""
	if len(args) > 0 && !strings.HasPrefix(args[len(args)-1], "-") {
		engineAddress = args[len(args)-1]
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if engineAddress != "" {
		// Exit when the engine goes away, so no host outlives its `pulumi` process.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			fmt.Fprintf(os.Stderr, "could not start health check: %v\n", err)
			os.Exit(1)
		}
	}
	cancelChannel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancelChannel)
	}()

	host := &nodeHost{engineAddress: engineAddress}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start language host: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host stopped: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string

	mu      sync.Mutex
	running map[*exec.Cmd]struct{}
}

func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins lists the resource plugins that installed npm packages declare in their
// package.json ("pulumi": {"resource": true, "name": ..., "version": ...}).
func (h *nodeHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	plugins, err := requiredPlugins(programDir, info.GetRootDirectory())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

type pulumiPackageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPlugins scans every node_modules directory from programDir up to rootDir (npm hoists
// dependencies to the project root, while Pulumi.yaml may point `main` at a subdirectory).
func requiredPlugins(programDir, rootDir string) ([]*pulumirpc.PluginDependency, error) {
	seen := map[string]*pulumirpc.PluginDependency{}
	for _, dir := range ancestors(programDir, rootDir) {
		nm := filepath.Join(dir, "node_modules")
		entries, err := os.ReadDir(nm)
		if err != nil {
			continue
		}
		var pkgDirs []string
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "@") {
				scoped, _ := os.ReadDir(filepath.Join(nm, e.Name()))
				for _, s := range scoped {
					pkgDirs = append(pkgDirs, filepath.Join(nm, e.Name(), s.Name()))
				}
			} else {
				pkgDirs = append(pkgDirs, filepath.Join(nm, e.Name()))
			}
		}
		for _, d := range pkgDirs {
			raw, err := os.ReadFile(filepath.Join(d, "package.json"))
			if err != nil {
				continue
			}
			var pkg pulumiPackageJSON
			if json.Unmarshal(raw, &pkg) != nil || pkg.Pulumi == nil || !pkg.Pulumi.Resource {
				continue
			}
			name := pkg.Pulumi.Name
			if name == "" {
				name = strings.TrimPrefix(pkg.Name, "@pulumi/")
			}
			ver := pkg.Pulumi.Version
			if ver == "" {
				ver = pkg.Version
			}
			if _, dup := seen[name]; !dup {
				seen[name] = &pulumirpc.PluginDependency{
					Name: name, Kind: "resource", Version: "v" + strings.TrimPrefix(ver, "v"), Server: pkg.Pulumi.Server,
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*pulumirpc.PluginDependency, 0, len(names))
	for _, n := range names {
		out = append(out, seen[n])
	}
	return out, nil
}

// ancestors returns dir, its parent, ... up to and including stop (or the filesystem root).
func ancestors(dir, stop string) []string {
	var out []string
	dir, _ = filepath.Abs(dir)
	if stop != "" {
		stop, _ = filepath.Abs(stop)
	}
	for {
		out = append(out, dir)
		parent := filepath.Dir(dir)
		if dir == stop || parent == dir {
			return out
		}
		dir = parent
	}
}

// Run launches the program under @pulumi/pulumi's runner and waits for it.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	pwd := req.GetPwd()
	runPath, err := resolveModule(nodeBin, pwd, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{
			Error: "@pulumi/pulumi is not installed next to the program (run `npm run setup`): " + err.Error(),
		}, nil
	}

	opts := req.GetInfo().GetOptions()
	nodeArgs := strings.Fields(optString(opts, "nodeargs"))
	nodeArgs = append(nodeArgs, runPath)
	add := func(flag, value string) {
		if value != "" {
			nodeArgs = append(nodeArgs, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", pwd)
	add("root-directory", req.GetInfo().GetRootDirectory())
	if req.GetDryRun() {
		nodeArgs = append(nodeArgs, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	nodeArgs = append(nodeArgs, program)
	nodeArgs = append(nodeArgs, req.GetArgs()...)

	config, err := json.Marshal(nonNilMap(req.GetConfig()))
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(nonNilSlice(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
	)
	// TypeScript is on unless Pulumi.yaml's runtime options turn it off, as upstream.
	if optBool(opts, "typescript", true) {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if ts := optString(opts, "tsconfig"); ts != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+ts)
	}

	cmd := exec.Command(nodeBin, nodeArgs...) //nolint:gosec // runs the user's own program, as the engine asked
	cmd.Dir = pwd
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{Error: "could not start node: " + err.Error()}, nil
	}
	h.track(cmd, true)
	err = cmd.Wait()
	h.track(cmd, false)
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if exitErr.ExitCode() == exitCodeUserActionable {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
	}
	return &pulumirpc.RunResponse{Error: "problem executing program: " + err.Error()}, nil
}

func (h *nodeHost) track(cmd *exec.Cmd, add bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running == nil {
		h.running = map[*exec.Cmd]struct{}{}
	}
	if add {
		h.running[cmd] = struct{}{}
	} else {
		delete(h.running, cmd)
	}
}

// Cancel stops running programs when the user interrupts `pulumi`.
func (h *nodeHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.running {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(os.Interrupt)
		}
	}
	return &emptypb.Empty{}, nil
}

// InstallDependencies is a no-op: `npm run setup` installs node_modules from the lockfile, offline-safe.
func (h *nodeHost) InstallDependencies(
	_ *pulumirpc.InstallDependenciesRequest, srv pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return srv.Send(&pulumirpc.InstallDependenciesResponse{
		Stdout: []byte("dependencies are installed by `npm run setup` (npm ci from the lockfile)\n"),
	})
}

func (h *nodeHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, status.Error(codes.FailedPrecondition, "node not found on $PATH")
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: nodeBin, Version: strings.TrimSpace(string(out))}, nil
}

func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	plugins, err := requiredPlugins(req.GetInfo().GetProgramDirectory(), req.GetInfo().GetRootDirectory())
	if err != nil {
		return nil, err
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(plugins))
	for _, p := range plugins {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: "@pulumi/" + p.GetName(), Version: p.GetVersion()})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// RunPlugin runs a plugin written in Node.js. The engine uses it for Node.js policy packs (kind "analyzer"):
// @pulumi/pulumi's run-policy-pack entry point, resolved from the pack's own node_modules, gets the engine
// address and the pack directory. Other kinds run the plugin directory's package with node.
func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, srv pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return status.Error(codes.FailedPrecondition, "node not found on $PATH")
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	entry := filepath.Join(dir, req.GetInfo().GetEntryPoint())
	var args []string
	if req.GetKind() == "analyzer" {
		runPath, err := resolveModule(nodeBin, dir, "@pulumi/pulumi/cmd/run-policy-pack")
		if err != nil {
			return status.Errorf(codes.FailedPrecondition,
				"the policy pack in %s has no @pulumi/pulumi installed (npm install there): %v", dir, err)
		}
		args = append(append([]string{runPath}, req.GetArgs()...), entry)
	} else {
		args = append([]string{entry}, req.GetArgs()...)
	}
	cmd := exec.Command(nodeBin, args...) //nolint:gosec // the engine asked to run this plugin
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	if optBool(req.GetInfo().GetOptions(), "typescript", true) {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	var mu sync.Mutex
	send := func(r *pulumirpc.RunPluginResponse) error {
		mu.Lock()
		defer mu.Unlock()
		return srv.Send(r)
	}
	cmd.Stdout = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	})
	cmd.Stderr = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	})
	if err := cmd.Start(); err != nil {
		return err
	}
	h.track(cmd, true)
	waitErr := cmd.Wait()
	h.track(cmd, false)
	code := 0
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		code = exitErr.ExitCode()
	} else if waitErr != nil {
		return waitErr
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// streamWriter adapts a send function to io.Writer; each write is copied because the gRPC message outlives it.
type streamWriter func([]byte) error

func (w streamWriter) Write(p []byte) (int, error) {
	if err := w(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func resolveModule(nodeBin, dir, module string) (string, error) {
	cmd := exec.Command(nodeBin, "-e", fmt.Sprintf("console.log(require.resolve(%q))", module))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func optString(opts *structpb.Struct, key string) string {
	if opts == nil {
		return ""
	}
	if v, ok := opts.GetFields()[key]; ok {
		return v.GetStringValue()
	}
	return ""
}

func optBool(opts *structpb.Struct, key string, def bool) bool {
	if opts == nil {
		return def
	}
	if v, ok := opts.GetFields()[key]; ok {
		if _, isBool := v.GetKind().(*structpb.Value_BoolValue); isBool {
			return v.GetBoolValue()
		}
	}
	return def
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
