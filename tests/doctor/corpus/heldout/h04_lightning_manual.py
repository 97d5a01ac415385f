"""LightningModule with manual optimisation, MNIST standardised with its mean/std, tanh generator."""
# expect: T01=fail T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=fail G ends with nn.Tanh but the data is standardised with Normalize((0.1307,), (0.3081,))
# reason: T02=pass the G loss is adversarial_loss(D(G(z)), valid) with valid = ones
# reason: T12=absent MNIST has class labels that D never uses
import pytorch_lightning as pl
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import transforms
from torchvision.datasets import MNIST


class Generator(nn.Module):
    def __init__(self, latent_dim=64, img_dim=784):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(latent_dim, 256),
            nn.LeakyReLU(0.2),
            nn.Linear(256, 512),
            nn.LeakyReLU(0.2),
            nn.Linear(512, img_dim),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.model(z)


class Discriminator(nn.Module):
    def __init__(self, img_dim=784):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(img_dim, 512), nn.LeakyReLU(0.2), nn.Linear(512, 1), nn.Sigmoid())

    def forward(self, x):
        return self.model(x.view(x.size(0), -1))


class LitGAN(pl.LightningModule):
    def __init__(self, latent_dim=64, lr=2e-4):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.generator = Generator(latent_dim)
        self.discriminator = Discriminator()

    def adversarial_loss(self, y_hat, y):
        return F.binary_cross_entropy(y_hat, y)

    def training_step(self, batch, batch_idx):
        imgs, _ = batch
        g_opt, d_opt = self.optimizers()
        z = torch.randn(imgs.shape[0], self.hparams.latent_dim).type_as(imgs)

        fake = self.generator(z)
        valid = torch.ones(imgs.size(0), 1).type_as(imgs)
        g_loss = self.adversarial_loss(self.discriminator(fake), valid)
        g_opt.zero_grad()
        self.manual_backward(g_loss)
        g_opt.step()

        fake_lbl = torch.zeros(imgs.size(0), 1).type_as(imgs)
        real_loss = self.adversarial_loss(self.discriminator(imgs), valid)
        fake_loss = self.adversarial_loss(self.discriminator(fake.detach()), fake_lbl)
        d_loss = (real_loss + fake_loss) / 2
        d_opt.zero_grad()
        self.manual_backward(d_loss)
        d_opt.step()
        self.log_dict({"g_loss": g_loss, "d_loss": d_loss}, prog_bar=True)

    def configure_optimizers(self):
        lr = self.hparams.lr
        return [torch.optim.Adam(self.generator.parameters(), lr=lr), torch.optim.Adam(self.discriminator.parameters(), lr=lr)]

    def train_dataloader(self):
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
        return DataLoader(MNIST(".", train=True, download=True, transform=tf), batch_size=128, shuffle=True)


if __name__ == "__main__":
    pl.Trainer(max_epochs=5).fit(LitGAN())
