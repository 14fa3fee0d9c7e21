// composecheck loads a compose file with Compose's own loader (compose-go, the library behind
// `docker compose config`): it reads the files, applies the env files and the environment,
// interpolates, validates against the Compose schema, checks consistency, selects the profiles,
// and prints the resolved project as JSON. Any error exits 1 with Compose's message.
// With -context it instead lists the files a build of that directory sends to the builder, after
// its .dockerignore (the pattern matcher Docker's builder uses).
//
//	composecheck -C DIR [-f docker-compose.yml] [--env-file FILE]... [--profile NAME]...
//	composecheck -context DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var files, envFiles, profiles list
	dir := flag.String("C", ".", "project directory (where .env is looked for)")
	name := flag.String("p", "earshot", "project name")
	flag.Var(&files, "f", "compose file (repeatable; default: compose.yaml / docker-compose.yml in -C)")
	flag.Var(&envFiles, "env-file", "env file instead of DIR/.env (repeatable)")
	flag.Var(&profiles, "profile", "profile to enable (repeatable)")
	buildContext := flag.String("context", "", "list the build context of this directory instead")
	flag.Parse()
	if *buildContext != "" {
		if err := listContext(*buildContext); err != nil {
			fmt.Fprintln(os.Stderr, "composecheck:", err)
			os.Exit(1)
		}
		return
	}

	// The same option order as `docker compose`: the environment wins over the env files.
	opts, err := cli.NewProjectOptions(files,
		cli.WithName(*name),
		cli.WithWorkingDirectory(*dir),
		cli.WithOsEnv,
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithDefaultConfigPath,
		cli.WithProfiles(profiles),
	)
	if err == nil {
		err = load(opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		os.Exit(1)
	}
}

func load(opts *cli.ProjectOptions) error {
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}

func listContext(dir string) error {
	var patterns []string
	if f, err := os.Open(filepath.Join(dir, ".dockerignore")); err == nil {
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		excluded, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		switch {
		case excluded && d.IsDir() && !pm.Exclusions():
			return filepath.SkipDir // nothing inside can be re-included
		case !excluded && !d.IsDir():
			fmt.Println(filepath.ToSlash(rel))
		}
		return nil
	})
}
