// Builds the front end into site/static (git-ignored): the council's Sass on GOV.UK Frontend,
// a mirrored copy for right-to-left languages, GOV.UK Frontend's JavaScript and our small modules (one starts it, one suggests as you type).
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import rtlcss from 'rtlcss'
import * as sass from 'sass'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const out = join(here, '..', 'static')
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')

for (const folder of ['css', 'js', 'images']) mkdirSync(join(out, folder), { recursive: true })

const result = sass.compile(join(here, 'scss', 'council.scss'), {
  loadPaths: [join(root, 'node_modules')],
  style: 'compressed',
  sourceMap: false,
  quietDeps: true,
})
writeFileSync(join(out, 'css', 'council.css'), result.css)
// The mirrored stylesheet for right-to-left languages (Arabic): left and right swapped.
writeFileSync(join(out, 'css', 'council.rtl.css'), rtlcss.process(result.css))

copyFileSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'js', 'govuk-frontend.min.js'))
// Our own modules (council.js and what it imports) are copied as they are: no bundler needed.
for (const name of readdirSync(join(here, 'js')).filter((n) => n.endsWith('.js'))) {
  copyFileSync(join(here, 'js', name), join(out, 'js', name))
}
copyFileSync(join(here, 'images', 'favicon.svg'), join(out, 'images', 'favicon.svg'))

console.log(`Built ${result.css.length} bytes of CSS into ${out}`)
