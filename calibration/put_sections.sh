# put_sections.sh: sourced by calibration/{moe,mla,deepep}_profiles.sh (not run alone).
#
# put_sections KEYRE FRAG YAML: write the YAML fragment FRAG into the profile YAML in place
# of its sections whose top-level key matches the awk regex KEYRE (the key line and the
# indented lines under it; the fragment where the first of them stood), else before the
# uncertainty block (its "# relative standard errors" comment or `uncertainty:`), else at
# the end (through the temporary file FRAG.new).
put_sections() {
	awk -v re="$1" -v frag="$2" '
		$0 ~ re { skip = 1
			if (!done) { while ((getline l < frag) > 0) print l; done = 1 }
			next }
		skip && /^ / { next }
		{ skip = 0 }
		/^# relative standard errors|^uncertainty:/ && !done {
			while ((getline l < frag) > 0) print l; done = 1 }
		{ print }
		END { if (!done) while ((getline l < frag) > 0) print l }' "$3" >"$2.new"
	mv "$2.new" "$3"
}
