"""Text that does not fit is cut with an ellipsis, never with stray characters (issue 12).

At 60×20 (and in narrow panes) single-line texts ran into their border: a dashboard line
« (dans 164 » cut mid-word, a select showing « Tous » for « Tous statuts », a stray letter
after « ^p Menu ». These rules keep such texts on one line and end them with « … ». Loaded by the app (`PfmpApp.CSS`), so they
apply to every screen whatever its own stylesheet.
"""

CSS = """
Figure {
    text-wrap: nowrap;
    text-overflow: ellipsis;
}
SelectCurrent Static#label {
    text-wrap: nowrap;
    text-overflow: ellipsis;
}
/* The compact footer gives every key a right margin, the docked « ^p Menu » too: the last
   column then showed a letter of the keys scrolled under it (« ^p Menue » at 60 columns). */
Footer.-compact FooterKey.-command-palette {
    margin-right: 0;
    padding-right: 1;
}
"""
